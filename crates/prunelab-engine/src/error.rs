use prunelab_core::report::Divergence;
use thiserror::Error;

/// Why a run stopped. Messages are one line, shown as-is by the CLI and the page, and carry no
/// hints (what to do about it is the CLI's and the page's to say, by [`EngineError::kind`]).
#[derive(Debug, Error)]
pub enum EngineError {
    /// The experiment cannot run as described.
    /// (Not the error's `source` as well: a chain would print the reason twice.)
    #[error("invalid experiment: {0}")]
    Experiment(prunelab_core::StateError),
    /// The images: a split that cannot be read or holds none.
    #[error("{0}")]
    Data(String),
    /// A network that cannot be built at the widths asked for.
    #[error("{0}")]
    Model(#[from] prunelab_models::WidthError),
    /// The backend failed: a readback, an adapter, a lost GPU.
    #[error("device: {0}")]
    Device(String),
    /// A checkpoint or resume snapshot that cannot be written or read.
    #[error("checkpoint: {0}")]
    Checkpoint(String),
    /// The observer could not keep what the run produced (a results file, the page's handler).
    #[error("{0}")]
    Observer(String),
    /// A loss or a weight stopped being finite; nothing of the failing epoch was kept.
    #[error("training diverged at {0}: a loss or a weight is no longer a finite number")]
    Diverged(Divergence),
    /// The user stopped the run (the observer's `between_steps` said so).
    #[error("stopped")]
    Cancelled,
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

    /// The variant as one word (`experiment`, `data`, `model`, `device`, `checkpoint`,
    /// `observer`, `diverged`, `cancelled`): what a caller branches on, never the message.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Experiment(_) => "experiment",
            Self::Data(_) => "data",
            Self::Model(_) => "model",
            Self::Device(_) => "device",
            Self::Checkpoint(_) => "checkpoint",
            Self::Observer(_) => "observer",
            Self::Diverged(_) => "diverged",
            Self::Cancelled => "cancelled",
        }
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
