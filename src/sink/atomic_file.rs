//! A temporary file beside a target path that replaces the target only on
//! success, so a failed render never leaves half a file nor destroys the
//! file already at the target path.

use std::fs::{self, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

/// Owns `.<name>.<pid>-<n>.partial` beside the target until `persist`;
/// dropping it deletes the temporary file.
#[derive(Debug)]
pub(crate) struct AtomicFile {
    temp_path: PathBuf,
    target_path: PathBuf,
    persisted: bool,
}

impl AtomicFile {
    /// Creates the (empty) temporary file in the target's directory, where a
    /// rename is atomic.
    pub(crate) fn create(target_path: &Path) -> io::Result<AtomicFile> {
        // Fail now rather than at the rename after a whole render.
        if target_path.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::IsADirectory,
                "the path is a directory",
            ));
        }
        let name = target_path
            .file_name()
            .ok_or_else(|| {
                io::Error::new(io::ErrorKind::InvalidInput, "the path has no file name")
            })?
            .to_string_lossy()
            .into_owned();
        let dir = match target_path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let pid = std::process::id();
        for attempt in 0u32.. {
            let temp_path = dir.join(format!(".{name}.{pid}-{attempt}.partial"));
            match OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&temp_path)
            {
                Ok(_) => {
                    return Ok(AtomicFile {
                        temp_path,
                        target_path: target_path.to_path_buf(),
                        persisted: false,
                    });
                }
                // A leftover of a crashed run with a recycled pid: try the next name.
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 100 => {}
                Err(e) => return Err(e),
            }
        }
        unreachable!("the loop returns within 101 attempts")
    }

    pub(crate) fn temp_path(&self) -> &Path {
        &self.temp_path
    }

    pub(crate) fn target_path(&self) -> &Path {
        &self.target_path
    }

    /// Renames the finished temporary file over the target.
    pub(crate) fn persist(mut self) -> io::Result<()> {
        fs::rename(&self.temp_path, &self.target_path)?;
        self.persisted = true;
        Ok(())
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if !self.persisted {
            // Best effort: the file may already be gone; nothing else to do.
            let _ = fs::remove_file(&self.temp_path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_target_only_on_persist() {
        let dir = tempfile::tempdir().expect("temp dir");
        let target = dir.path().join("out.mp4");
        fs::write(&target, b"old").expect("write old file");

        let dropped = AtomicFile::create(&target).expect("create temp");
        fs::write(dropped.temp_path(), b"half").expect("write temp");
        let dropped_path = dropped.temp_path().to_path_buf();
        drop(dropped);
        assert!(!dropped_path.exists());
        assert_eq!(fs::read(&target).expect("read"), b"old");

        let kept = AtomicFile::create(&target).expect("create temp");
        fs::write(kept.temp_path(), b"new").expect("write temp");
        kept.persist().expect("rename");
        assert_eq!(fs::read(&target).expect("read"), b"new");
        assert_eq!(fs::read_dir(dir.path()).expect("list").count(), 1);
    }
}
