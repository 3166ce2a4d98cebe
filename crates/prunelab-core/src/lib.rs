//! Backend-free core of prunelab: everything about pruning that is plain arithmetic on host
//! vectors, unit-tested without a GPU.
//!
//! - [`state`]: the experiment description that is both the page's URL hash and the CLI's TOML.
//! - [`mask`]: keep/prune masks over the prunable conv/linear kernels.
//! - [`criterion`]: the lowest-score selection every criterion shares, and the base methods
//!   (Global Magnitude, LAMP, LAP, IMP, Random, Taylor/SNIP scores, L1/L2 channel).
//! - [`ap`]: the Activate-while-Pruning metric (AP paper, Algorithm 1).
//! - [`cycle`]: how many weights each cycle removes and by whom (AP paper, Algorithm 2), for
//!   every AP variant (Lite, Pro, SOLO, NO-WR, output, bias-k).
//! - [`schedule`]: the LR schedule (warm-up, step decay) and Zhu & Gupta's gradual target.
//! - [`plan`]: a config's runs (variants × seeds) and their labels.
//! - [`density`]: activation-density pruning in training (AE, ρ/δ criteria, the width rule,
//!   training complexity).
//! - [`dnr`]: static / dynamic Dead Neuron Rate from per-channel zero counts (AP paper, eq. 1–2).
//! - [`report`]: the `results.json` schema.
//! - [`macs`]: parameters and multiply-accumulates of a network, layer by layer, from its shapes.

pub mod ap;
pub mod criterion;
pub mod cycle;
pub mod density;
pub mod dnr;
pub mod macs;
pub mod mask;
pub mod plan;
pub mod report;
pub mod rng;
pub mod schedule;
pub mod state;

pub use cycle::{CycleCounts, Observed, Pruning, prune_cycle};
pub use mask::{Layer, Masks};
pub use state::{Experiment, StateError};
