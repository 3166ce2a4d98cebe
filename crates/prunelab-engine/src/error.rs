use prunelab_core::report::Divergence;
use thiserror::Error;

/// Why a run stopped. Messages are one line, shown as-is by the CLI and the page.
#[derive(Debug, Error)]
pub enum EngineError {
    /// (Not the error's `source` as well: a chain would print the reason twice.)
    #[error("invalid experiment: {0}")]
    Experiment(prunelab_core::StateError),
    #[error("device: {0}")]
    Device(String),
    #[error("checkpoint: {0}")]
    Checkpoint(String),
    /// A loss or a weight stopped being finite; nothing of the failing epoch was kept.
    #[error("training diverged at {0}: a loss or a weight is no longer a finite number")]
    Diverged(Divergence),
    #[error("{0}")]
    Stopped(String),
}

impl From<prunelab_core::StateError> for EngineError {
    fn from(e: prunelab_core::StateError) -> Self {
        Self::Experiment(e)
    }
}

impl EngineError {
    pub(crate) fn device(e: impl std::fmt::Display) -> Self {
        Self::Device(e.to_string())
    }

    /// A divergence located in its training: `cycle` (or density net) and `epoch`; any other
    /// error unchanged.
    pub(crate) fn during(self, cycle: u32, epoch: u32) -> Self {
        match self {
            Self::Diverged(at) => Self::Diverged(Divergence { cycle, epoch, ..at }),
            e => e,
        }
    }
}
