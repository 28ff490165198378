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
    /// An error in one part of a larger job (a platform of a scenario).
    #[error("{place}: {source}")]
    Within { place: String, source: Box<Error> },
    /// The job was stopped from outside ([`crate::cancel::request`]).
    #[error("interrupted")]
    Interrupted,
    /// A cluster could not start, or lost a process (see [`crate::cluster`]).
    #[error("cluster: {0}")]
    Cluster(String),
    /// A command-line option, spec or scenario value is out of range or malformed.
    #[error("invalid {option}{}: {msg}", if value.is_empty() { String::new() } else { format!(" {value:?}") })]
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

/// How an error names a model parameter: as the command-line flag (`--p-strong`) or as the key
/// of a scenario file (`p_strong`). Parameters are known by their key (`p_strong`); only the
/// command line's own flags (`--width`, `--force`) are named directly.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub enum Naming {
    #[default]
    Flag,
    Key,
}

impl Naming {
    /// The name of the parameter whose key is `key` (`p_strong` → `--p-strong` or `p_strong`).
    pub fn name(self, key: &str) -> String {
        match self {
            Naming::Flag => format!("--{}", key.replace('_', "-")),
            Naming::Key => key.to_string(),
        }
    }

    /// An invalid-value error for the parameter `key`.
    pub fn invalid(self, key: &str, value: impl ToString, msg: impl Into<String>) -> Error {
        Error::invalid(self.name(key), value.to_string(), msg)
    }
}

/// Errors wrapped with where they happened (`platform "WeChat-like"`).
pub trait Within<T> {
    /// The error, if any, prefixed with `place`.
    fn within(self, place: impl FnOnce() -> String) -> Result<T>;
}

impl<T> Within<T> for Result<T> {
    fn within(self, place: impl FnOnce() -> String) -> Result<T> {
        self.map_err(|e| Error::Within {
            place: place(),
            source: Box::new(e),
        })
    }
}
