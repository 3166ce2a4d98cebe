//! The crate's single error type.

use std::path::PathBuf;

/// Everything that can go wrong while reading or converting a dataset.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// Bytes (or JSON) that do not follow the expected format.
    #[error("{file}: {msg}")]
    Malformed {
        /// The file (or kind of data) that is malformed.
        file: String,
        /// What was expected and what was found.
        msg: String,
    },
    /// A required file does not exist.
    #[error("missing file {}: {hint}", path.display())]
    Missing {
        /// The path that was looked for.
        path: PathBuf,
        /// How to obtain the file.
        hint: String,
    },
    /// Any other I/O failure on a file.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file being read or written.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

/// Result alias for this crate.
pub type Result<T> = std::result::Result<T, DataError>;

impl DataError {
    /// A [`DataError::Malformed`] for `file` with message `msg`.
    pub(crate) fn malformed(file: impl Into<String>, msg: impl Into<String>) -> Self {
        Self::Malformed {
            file: file.into(),
            msg: msg.into(),
        }
    }

    /// Re-label a [`DataError::Malformed`] with a concrete file name
    /// (parsers that only see bytes use a generic name).
    pub(crate) fn in_file(self, file: &str) -> Self {
        match self {
            Self::Malformed { msg, .. } => Self::malformed(file, msg),
            other => other,
        }
    }
}
