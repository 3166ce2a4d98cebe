//! Backend-free core of prunelab: everything about pruning that is plain arithmetic on host
//! vectors, unit-tested without a GPU.
//!
//! - [`state`]: the experiment description that is both the page's URL hash and the CLI's TOML.
//! - [`mask`]: keep/prune masks over the prunable conv/linear kernels.
//! - [`criterion`]: the global lowest-score selection shared by every criterion, and Global Magnitude.
//! - [`ap`]: the Activate-while-Pruning metric (AP paper, Algorithm 1).
//! - [`cycle`]: how many weights each cycle removes and by whom (AP paper, Algorithm 2).
//! - [`dnr`]: static / dynamic Dead Neuron Rate from per-channel zero counts (AP paper, eq. 1–2).
//! - [`report`]: the `results.json` schema.

pub mod ap;
pub mod criterion;
pub mod cycle;
pub mod dnr;
pub mod mask;
pub mod report;
pub mod rng;
pub mod state;

pub use cycle::{CycleCounts, prune_cycle};
pub use mask::{Layer, Masks};
pub use state::{Experiment, StateError};
