//! The knowledge base: FAQ entries from CSV files and passages from Markdown documents.
//!
//! Loading is all or nothing: a file with a bad row yields an error naming every bad line,
//! and no half-loaded base. The format is documented in docs/knowledge-base.md.

mod csv_import;
mod markdown;

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::DialogError;
use super::lang;
use crate::speech::Lang;

pub use csv_import::parse_csv;
pub use markdown::split_passages;

/// One FAQ row: a canonical question, its alternative phrasings and the answer.
///
/// The answer may contain `{order_number}`: the assistant then asks for the order number
/// when the customer has not given one, and fills it in (see `conversation`).
#[derive(Debug, Clone, PartialEq)]
pub struct KbEntry {
    pub question: String,
    pub similar: Vec<String>,
    pub answer: String,
    pub lang: Lang,
    /// Where it came from, for error messages and debugging: `faq_en.csv:12`.
    pub source: String,
}

impl KbEntry {
    /// The question followed by its alternative phrasings.
    pub fn phrasings(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.question.as_str()).chain(self.similar.iter().map(String::as_str))
    }
}

/// A piece of a Markdown document: the heading it sits under and a few paragraphs.
#[derive(Debug, Clone, PartialEq)]
pub struct Passage {
    pub title: String,
    pub text: String,
    pub lang: Lang,
    pub source: String,
}

/// FAQ entries + document passages, with a content hash that keys the embedding cache.
#[derive(Debug, Clone)]
pub struct KnowledgeBase {
    pub entries: Vec<KbEntry>,
    pub passages: Vec<Passage>,
    content_hash: [u8; 32],
}

/// The default knowledge base (fictional retail chain "Harbor Lane"), compiled into the
/// binary so the assistant works with no files and no network.
const DEFAULT_FILES: &[(&str, &str)] = &[
    ("faq_en.csv", include_str!("../../../assets/kb/faq_en.csv")),
    ("faq_zh.csv", include_str!("../../../assets/kb/faq_zh.csv")),
    (
        "docs/stores.md",
        include_str!("../../../assets/kb/docs/stores.md"),
    ),
    (
        "docs/stores.zh.md",
        include_str!("../../../assets/kb/docs/stores.zh.md"),
    ),
];

impl KnowledgeBase {
    /// The embedded default knowledge base.
    pub fn default_kb() -> Result<Self, DialogError> {
        Self::from_files(
            DEFAULT_FILES
                .iter()
                .map(|(name, text)| (PathBuf::from(name), (*text).to_string())),
        )
    }

    /// Loads a `.csv` file, a `.md` file, or a folder (all `.csv` and `.md` files in it and
    /// its subfolders, in path order).
    pub fn load(path: &Path) -> Result<Self, DialogError> {
        let io = |source| DialogError::KbIo {
            source,
            path: path.to_path_buf(),
        };
        let mut files = Vec::new();
        if path.is_dir() {
            collect_files(path, &mut files).map_err(io)?;
            files.sort();
        } else {
            files.push(path.to_path_buf());
        }
        let mut texts = Vec::with_capacity(files.len());
        for file in files {
            let text = std::fs::read_to_string(&file).map_err(|source| DialogError::KbIo {
                source,
                path: file.clone(),
            })?;
            texts.push((file, text));
        }
        let kb = Self::from_files(texts)?;
        if kb.entries.is_empty() && kb.passages.is_empty() {
            return Err(DialogError::KbEmpty {
                path: path.to_path_buf(),
            });
        }
        Ok(kb)
    }

    /// Builds a base from (path, content) pairs; the extension picks the parser.
    pub fn from_files(
        files: impl IntoIterator<Item = (PathBuf, String)>,
    ) -> Result<Self, DialogError> {
        let mut hasher = Sha256::new();
        let mut entries = Vec::new();
        let mut passages = Vec::new();
        for (path, text) in files {
            hasher.update(path.to_string_lossy().as_bytes());
            hasher.update([0]);
            hasher.update(text.as_bytes());
            hasher.update([0]);
            match path.extension().and_then(|e| e.to_str()) {
                Some(e) if e.eq_ignore_ascii_case("csv") => {
                    entries.extend(parse_csv(&text, &path)?)
                }
                Some(e) if e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("markdown") => {
                    passages.extend(split_passages(&text, &path))
                }
                _ => {}
            }
        }
        Ok(KnowledgeBase {
            entries,
            passages,
            content_hash: hasher.finalize().into(),
        })
    }

    /// SHA-256 over every file's name and content: same hash, same base.
    pub fn content_hash(&self) -> [u8; 32] {
        self.content_hash
    }
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for item in std::fs::read_dir(dir)? {
        let path = item?.path();
        if path.is_dir() {
            collect_files(&path, out)?;
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("csv" | "md" | "markdown")
        ) {
            out.push(path);
        }
    }
    Ok(())
}

/// The language of a row or passage; English when it has no letters at all.
fn lang_of(text: &str) -> Lang {
    lang::detect_or(text, Lang::En)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_kb_has_both_languages_with_phrasings() {
        let kb = KnowledgeBase::default_kb().expect("the embedded KB is valid");
        let en = kb.entries.iter().filter(|e| e.lang == Lang::En).count();
        let zh = kb.entries.iter().filter(|e| e.lang == Lang::Zh).count();
        assert!(en >= 40 && zh >= 40, "en {en} zh {zh}");
        assert!(kb.entries.iter().all(|e| e.similar.len() >= 2));
        assert!(!kb.passages.is_empty());
    }
}
