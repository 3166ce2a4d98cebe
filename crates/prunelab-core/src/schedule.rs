//! Schedules over optimiser steps: the learning rate (linear warm-up, then step decay at
//! milestones — the AP paper's protocol, §4.1) and the gradual pruning target of Zhu & Gupta
//! (2017), s_t = s_f + (s_i − s_f)·(1 − (t − t0)/(n·Δt))³.

use crate::state::{Experiment, Retrain};

/// The learning rate at optimiser step `step` (0-based) of a training with `steps_per_epoch`:
/// `lr·(step+1)/W` during the first W = `warmup_epochs`·`steps_per_epoch` steps, then
/// `lr·gamma^m` with m the number of milestones ≤ the current epoch.
pub fn lr_at(exp: &Experiment, step: u64, steps_per_epoch: u64) -> f64 {
    let warmup = u64::from(exp.warmup_epochs) * steps_per_epoch;
    if step < warmup {
        return exp.lr * (step + 1) as f64 / warmup as f64;
    }
    let epoch = step / steps_per_epoch.max(1);
    let decays = exp
        .lr_milestones
        .iter()
        .filter(|&&m| u64::from(m) <= epoch)
        .count();
    exp.lr * exp.lr_gamma.powi(decays as i32)
}

/// The LR of a retraining step: `fine-tune` holds `finetune_lr` (default: the schedule's last
/// LR) after the first training; the rewinding modes replay [`lr_at`] from `offset`.
pub fn retrain_lr(
    exp: &Experiment,
    cycle: u32,
    step: u64,
    offset: u64,
    steps_per_epoch: u64,
) -> f64 {
    if cycle > 0 && exp.retrain == Retrain::FineTune {
        let last = (u64::from(exp.epochs) * steps_per_epoch).saturating_sub(1);
        return exp
            .finetune_lr
            .unwrap_or_else(|| lr_at(exp, last, steps_per_epoch));
    }
    lr_at(exp, step + offset, steps_per_epoch)
}

/// The fraction of weights that should remain after optimiser step `step` under the gradual
/// schedule, when `step` is one of its pruning steps (`None` otherwise). Pruning starts at
/// epoch `gradual_start` (t0), ends at `gradual_stop()` and happens `gradual_steps` (n) times,
/// Δt apart; s_i = 0 and s_f = 1 − target.
pub fn gradual_remaining(exp: &Experiment, step: u64, steps_per_epoch: u64) -> Option<f64> {
    let target = exp.target? / 100.0;
    let t0 = u64::from(exp.gradual_start) * steps_per_epoch;
    let end = u64::from(exp.gradual_stop()) * steps_per_epoch;
    let n = u64::from(exp.gradual_steps.max(1));
    let dt = ((end.saturating_sub(t0)) / n).max(1);
    let t = step.checked_sub(t0)?;
    if t % dt != dt - 1 || t / dt >= n {
        return None;
    }
    let progress = ((t / dt + 1) as f64 / n as f64).min(1.0);
    let sparsity = (1.0 - target) * (1.0 - (1.0 - progress).powi(3));
    Some(1.0 - sparsity)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exp(hash: &str) -> Experiment {
        Experiment::from_hash(hash, &[]).0
    }

    #[test]
    fn warm_up_then_step_decay() {
        let e = exp("lr=0.03&warmup_epochs=2&lr_milestones=5,7&lr_gamma=0.1&epochs=10");
        let lr = |step| lr_at(&e, step, 10);
        assert!(
            (lr(0) - 0.0015).abs() < 1e-12,
            "first step is 1/20 of the peak"
        );
        assert!((lr(19) - 0.03).abs() < 1e-12);
        assert!((lr(49) - 0.03).abs() < 1e-12);
        assert!((lr(50) - 0.003).abs() < 1e-12);
        assert!((lr(70) - 0.0003).abs() < 1e-12);
    }

    #[test]
    fn fine_tuning_holds_the_last_rate_after_the_first_training() {
        let e = exp("lr=0.1&lr_milestones=1&epochs=2&retrain=fine-tune");
        assert_eq!(retrain_lr(&e, 0, 0, 0, 10), 0.1);
        assert!((retrain_lr(&e, 1, 0, 0, 10) - 0.01).abs() < 1e-12);
        let e = exp("lr=0.1&epochs=2&retrain=fine-tune&finetune_lr=0.005");
        assert_eq!(retrain_lr(&e, 3, 0, 0, 10), 0.005);
        let rewind = exp("lr=0.1&lr_milestones=1&epochs=2");
        assert!(
            (retrain_lr(&rewind, 1, 0, 10, 10) - 0.01).abs() < 1e-12,
            "rewinding to step k resumes the schedule at k"
        );
    }

    #[test]
    fn gradual_follows_the_cubic_ramp() {
        let e = exp(
            "schedule=gradual&ap=none&target=20&epochs=4&gradual_start=0&gradual_end=2&gradual_steps=4",
        );
        // 10 steps per epoch: prune after steps 4, 9, 14, 19
        let got: Vec<(u64, f64)> = (0..40)
            .filter_map(|s| gradual_remaining(&e, s, 10).map(|r| (s, r)))
            .collect();
        let want = [0.75, 0.5, 0.25, 0.0].map(|left: f64| 1.0 - 0.8 * (1.0 - left.powi(3)));
        assert_eq!(
            got.iter().map(|g| g.0).collect::<Vec<_>>(),
            vec![4, 9, 14, 19]
        );
        for ((_, r), w) in got.iter().zip(want) {
            assert!((r - w).abs() < 1e-12, "{r} vs {w}");
        }
        assert!(
            (got[3].1 - 0.2).abs() < 1e-12,
            "the last step reaches the target"
        );
    }
}
