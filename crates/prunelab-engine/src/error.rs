use thiserror::Error;

/// Why a run stopped. Messages are one line, shown as-is by the CLI and the page.
#[derive(Debug, Error)]
pub enum EngineError {
    #[error("invalid experiment: {0}")]
    Experiment(#[from] prunelab_core::StateError),
    #[error("device: {0}")]
    Device(String),
    #[error("checkpoint: {0}")]
    Checkpoint(String),
    #[error("{0}")]
    Stopped(String),
}

impl EngineError {
    pub(crate) fn device(e: impl std::fmt::Display) -> Self {
        Self::Device(e.to_string())
    }
}
