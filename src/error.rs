//! The library's one error type. Every variant names what the user must fix: the file, the line and
//! the offending value, or the option and its value. The binary adds no information, it only prints.

use std::path::PathBuf;

/// Errors raised by hongbao's library. `Display` gives a message fit for a user.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The operating system refused to read or write a file.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A line of an input file could not be understood.
    #[error("{}:{line}: {msg}: {value:?}", path.display())]
    Parse {
        path: PathBuf,
        line: u64,
        value: String,
        msg: String,
    },
    /// A file-level problem (empty file, missing column, unknown extension, corrupt archive).
    #[error("{}: {msg}", path.display())]
    File { path: PathBuf, msg: String },
    /// A command-line option, spec or scenario value is out of range or malformed.
    #[error("invalid {option} {value:?}: {msg}")]
    Invalid {
        option: String,
        value: String,
        msg: String,
    },
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
    /// A file-level error.
    pub fn file(path: impl Into<PathBuf>, msg: impl Into<String>) -> Self {
        Error::File {
            path: path.into(),
            msg: msg.into(),
        }
    }
    /// An invalid option or value.
    pub fn invalid(
        option: impl Into<String>,
        value: impl Into<String>,
        msg: impl Into<String>,
    ) -> Self {
        Error::Invalid {
            option: option.into(),
            value: value.into(),
            msg: msg.into(),
        }
    }
}

/// Shorthand used across the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;
