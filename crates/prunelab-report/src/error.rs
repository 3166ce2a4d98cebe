//! The one error type of the crate; every message is a single line.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: not a valid results.json: {source}", path.display())]
    Parse {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("no results.json found under {0}")]
    NoResults(String),
    #[error("no runs to report")]
    NoRuns,
    #[error("invalid report option: {0}")]
    Options(String),
    #[error("cannot draw the {figure} plot: {message}")]
    Plot {
        figure: &'static str,
        message: String,
    },
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}
