//! Work done between optimiser steps: capturing the rewind point θ_k (weight rewinding to
//! iteration k, Frankle et al. 2020) and the pruning steps of the gradual schedule (Zhu & Gupta
//! 2017). Each costs one device read, only on the steps where it acts.

use prunelab_core::cycle::{Observed, select_base};
use prunelab_core::schedule::gradual_remaining;
use prunelab_core::{Experiment, criterion};

use crate::EngineError;
use crate::state::NetState;

#[derive(Default)]
pub struct Hooks {
    /// Capture every tensor after this many optimiser steps.
    pub capture_at: Option<u64>,
    pub captured: Option<Vec<Vec<f32>>>,
    /// Prune inside training by the gradual schedule of this experiment.
    pub gradual: Option<(Experiment, u64)>,
    /// Weights the gradual schedule removed so far.
    pub pruned: usize,
}

impl Hooks {
    /// Hooks for a gradual run of `exp` with `steps_per_epoch`.
    pub fn gradual(exp: &Experiment, steps_per_epoch: u64) -> Self {
        Self {
            gradual: Some((exp.clone(), steps_per_epoch)),
            ..Self::default()
        }
    }

    /// Called after `done` optimiser steps of the current training.
    pub async fn after_step(&mut self, net: &mut NetState, done: u64) -> Result<(), EngineError> {
        if self.capture_at == Some(done) {
            self.captured = Some(net.read().await?);
        }
        let Some((exp, per_epoch)) = &self.gradual else {
            return Ok(());
        };
        let Some(remaining) = gradual_remaining(exp, done.saturating_sub(1), *per_epoch) else {
            return Ok(());
        };
        let values = net.read().await?;
        let (theta, theta0) = (net.kernels(&values), net.kernels(&net.theta0));
        let layers = net.layers();
        let alive = net.masks.alive();
        let keep = (remaining * net.masks.total() as f64).round() as usize;
        let k = alive.saturating_sub(keep);
        if k == 0 {
            return Ok(());
        }
        let obs = Observed {
            layers: &layers,
            theta_star: &theta,
            theta0: &theta0,
            scores: None,
            dead_rate: None,
        };
        let chosen = select_base(exp, 0, &obs, &net.masks, k, 100.0 * k as f64 / alive as f64)?;
        let mut masks = net.masks.clone();
        criterion::apply(&mut masks, &chosen);
        self.pruned += chosen.len();
        net.masks = masks;
        net.load(&values);
        Ok(())
    }
}
