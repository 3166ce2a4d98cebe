//! The pruning run (AP paper, Algorithm 2). Cycle c = 0, 1, …: train with the current mask
//! (LR schedule per `retrain`), evaluate (accuracy, DNR; early stopping on the validation split),
//! then — unless it was the last — prune (base method X, then the AP step; see
//! `prunelab_core::cycle`) and restart the survivors: rewound to θ_k (`weight-rewind`, Algorithm
//! 2 step ii, lottery-ticket style), freshly initialised (`reinit`, Algorithm 2's "randomly
//! initialize unpruned weights"; the fresh draw is the next cycle's θ0), or kept at θ*
//! (`lr-rewind`, `fine-tune`, and AP-NO-WR).

use burn::prelude::*;
use prunelab_core::criterion::WeightRef;
use prunelab_core::cycle::{Observed, Pruning, prunings};
use prunelab_core::dnr::{Dnr, dnr};
use prunelab_core::plan::label;
use prunelab_core::report::{CycleEntry, NetEntry, RunResult};
use prunelab_core::rng::Rng;
use prunelab_core::schedule::retrain_lr;
use prunelab_core::state::{Ap, DnrSplit, Method, Retrain, Schedule, Taylor};
use prunelab_core::{CycleCounts, Experiment, StateError, ap, prune_cycle};
use prunelab_models::InputShape;

use crate::eval::evaluate;
use crate::hooks::Hooks;
use crate::images::{Images, Source};
use crate::optim::Sgd;
use crate::resume::{Progress, Snapshot};
use crate::scores::gradient_scores;
use crate::state::NetState;
use crate::train::{EpochStats, Stepping};
use crate::{Checkpoint, EngineError, density, train};

/// Progress reported while a run goes on.
pub enum Event<'a> {
    Status(String),
    /// An epoch's training loss/accuracy and the DNR of its own training pass (no extra pass).
    Epoch {
        cycle: u32,
        epoch: u32,
        loss: f64,
        train_accuracy: f64,
        remaining: f64,
        dnr: Dnr,
    },
    /// A finished cycle, with its checkpoint (θ*, masks before/after pruning, rewind point) and
    /// the weights its AP step pruned (the rest of `_mask_prev − _mask` went to the base method).
    Cycle {
        entry: &'a CycleEntry,
        checkpoint: &'a Checkpoint,
        ap_pruned: &'a [WeightRef],
    },
    /// `method = density`: a trained net_i, with its weights at its widths (widths in the
    /// checkpoint's metadata). Its epochs came as `Epoch` events with `cycle` = i, whose per-layer
    /// DNR gives the per-layer AE (1 − static − dynamic).
    Net {
        entry: &'a NetEntry,
        checkpoint: &'a Checkpoint,
    },
    /// The run's whole state after an epoch or at the start of a cycle, for exact resume (sent
    /// only to observers that ask for it).
    Snapshot(&'a Snapshot),
}

/// Receives events; an error stops the run (e.g. a checkpoint that cannot be written).
pub trait Observer {
    fn on_event(&mut self, event: Event<'_>) -> Result<(), EngineError>;

    /// Whether to send [`Event::Snapshot`]s (each costs a device read of all weights).
    fn wants_snapshots(&self) -> bool {
        false
    }

    /// Awaited before every training step: the cooperative point where a run can be paused (the
    /// future stays pending while paused) or stopped (an error ends the run). Natively it is
    /// ready at once; the page's observer waits on its Pause button here.
    fn between_steps(&mut self) -> impl std::future::Future<Output = Result<(), EngineError>> {
        std::future::ready(Ok(()))
    }
}

/// Data-order stream of one epoch, disjoint from the per-kernel initialisation streams.
pub(crate) fn order_stream(cycle: u32, epoch: u32) -> u64 {
    (1 << 40) + (u64::from(cycle) << 20) + u64::from(epoch)
}

/// Stream of the batches Taylor / SNIP scores are summed over.
fn score_stream(cycle: u32) -> u64 {
    (1 << 41) + u64::from(cycle)
}

/// The data of a run: training (validation held out), validation, test.
pub(crate) struct Splits {
    pub train: Images,
    pub val: Option<Images>,
    pub test: Images,
}

/// Run `exp` on `split` on `device` (a plain device; autodiff is enabled here).
pub async fn run(
    exp: &Experiment,
    source: &Source,
    device: &Device,
    observer: &mut impl Observer,
) -> Result<RunResult, EngineError> {
    run_from(exp, source, device, observer, None).await
}

/// [`run`], going on from a resume snapshot (see [`Snapshot`]) when one is given: the result —
/// masks, weights, metrics — is the one an uninterrupted run gives.
pub async fn run_from(
    exp: &Experiment,
    source: &Source,
    device: &Device,
    observer: &mut impl Observer,
    resume: Option<&Checkpoint>,
) -> Result<RunResult, EngineError> {
    exp.validate()?;
    let (train, test) = source.splits()?;
    let (train, val) = train.subset(exp.train_size).hold_out(exp.val_size)?;
    let data = Splits {
        train,
        val,
        test: test.subset(exp.test_size),
    };
    // An accuracy over no images, or training on none, would be a number that means nothing.
    for (split, n) in [("training", data.train.len()), ("test", data.test.len())] {
        if n == 0 {
            return Err(StateError::Invalid(format!(
                "the {split} split of {} has no images",
                exp.data
            ))
            .into());
        }
    }
    // A scoring pass goes round the data again when it asks for more than an epoch; past 100
    // epochs the request is a typo, and its sample order alone might not fit in memory.
    let scoring = match exp.method {
        Method::Taylor => exp.taylor_batches.map(|b| ("taylor_batches", b)),
        Method::Snip => Some(("snip_batches", exp.snip_batches)),
        _ => None,
    };
    if let Some((key, batches)) = scoring
        && u64::from(batches) * exp.batch as u64 > 100 * data.train.len() as u64
    {
        return Err(StateError::Invalid(format!(
            "{key} ({batches}) × batch ({}) is more than 100 epochs of the {} training images",
            exp.batch,
            data.train.len()
        ))
        .into());
    }
    observer.on_event(Event::Status(format!(
        "{} on {} ({} train / {} validation / {} test images): {}",
        exp.model,
        exp.data,
        data.train.len(),
        data.val.as_ref().map_or(0, Images::len),
        data.test.len(),
        label(exp)
    )))?;
    if exp.method == Method::Density {
        return density::run(exp, &data, &device.clone().autodiff(), observer, resume).await;
    }
    let mut net = NetState::new(
        exp,
        InputShape(data.train.shape()),
        data.train.classes(),
        &device.clone().autodiff(),
    );
    let per_epoch = data.train.len().div_ceil(exp.batch) as u64;
    // Survivors restart from a rewind point (θ_k, or a fresh draw under reinit), not from θ*.
    let rewinds =
        matches!(exp.retrain, Retrain::WeightRewind | Retrain::Reinit) && exp.ap != Ap::NoWr;
    let reinit = rewinds && exp.retrain == Retrain::Reinit;
    if rewinds && exp.rewind_iteration > u64::from(exp.epochs) * per_epoch {
        return Err(StateError::Invalid(format!(
            "rewind_iteration ({}) is past the first training ({} steps)",
            exp.rewind_iteration,
            u64::from(exp.epochs) * per_epoch
        ))
        .into());
    }
    let (units, layers) = (net.model.units(), net.layers());
    let bias_of = net.bias_of_kernels();
    let mut rewind_point = net.theta0.clone();
    let mut progress = Progress {
        start: net.masks.remaining(),
        ..Progress::default()
    };
    if let Some(ck) = resume {
        let snapshot = Snapshot::from_checkpoint(ck, &net, &exp.to_hash())?;
        progress = snapshot.progress.clone();
        rewind_point = snapshot.restore(&mut net);
        observer.on_event(Event::Status(format!(
            "resuming at cycle {}, epoch {}",
            progress.cycle, progress.epoch
        )))?;
    }
    loop {
        let cycle = progress.cycle;
        let mut hooks = if exp.schedule == Schedule::Gradual {
            Hooks::gradual(exp, per_epoch)
        } else {
            Hooks::default()
        };
        hooks.pruned = progress.gradual_pruned;
        if cycle == 0 && rewinds && exp.rewind_iteration > progress.step {
            hooks.capture_at = Some(exp.rewind_iteration);
        }
        let trained = train_cycle(
            exp,
            &mut progress,
            &mut net,
            &data,
            &mut hooks,
            &rewind_point,
            observer,
        )
        .await?;
        if let Some(point) = hooks.captured.take() {
            rewind_point = point;
        }
        let eval = evaluate(&net, &data.test, exp.batch.max(256)).await?;
        // eq. 1: DNR averaged over the training samples (inference mode, no augmentation)
        let on_train = match exp.dnr_split {
            DnrSplit::Train => Some(evaluate(&net, &data.train, exp.batch.max(256)).await?),
            DnrSplit::Test => None,
        };
        let measured = on_train.as_ref().unwrap_or(&eval);
        let values = net.read().await?;
        let mask_prev = net.masks.clone();
        let reached = exp.target.is_some_and(|t| progress.start * 100.0 <= t);
        let prune = cycle < prunings(exp) && !reached;
        let scores = if prune {
            scores(exp, cycle, &mut net, &data.train, &rewind_point).await?
        } else {
            None
        };
        let pruning = if prune {
            let (theta, theta0) = (net.kernels(&values), net.kernels(&rewind_point));
            let dead = (exp.ap == Ap::Output)
                .then(|| ap::row_dead_rate(&units, &layers, &trained.stats.zeros));
            let obs = Observed {
                layers: &layers,
                theta_star: &theta,
                theta0: &theta0,
                scores: scores.as_deref(),
                dead_rate: dead.as_deref(),
            };
            prune_cycle(exp, cycle, &obs, &mask_prev)?
        } else {
            let counts = CycleCounts {
                base: hooks.pruned,
                ..CycleCounts::default()
            };
            Pruning {
                masks: mask_prev.clone(),
                counts,
                boosted: Vec::new(),
                ap_pruned: Vec::new(),
            }
        };
        let entry = CycleEntry {
            cycle,
            remaining: if exp.schedule == Schedule::Gradual {
                mask_prev.remaining()
            } else {
                progress.start
            },
            remaining_after: pruning.masks.remaining(),
            test_accuracy: eval.accuracy,
            early_stop_accuracy: trained.best.map_or(eval.accuracy, |b| b.1),
            val_accuracy: trained.best.map(|b| b.0),
            best_epoch: trained.best.map_or(exp.epochs - 1, |b| b.2),
            train_loss: trained.stats.loss,
            pruned: pruning.counts,
            dnr: measured.dnr.clone(),
            dnr_channel: measured.dnr_channel.clone(),
            dnr_unit: exp.dnr_unit,
            dnr_split: exp.dnr_split,
        };
        let checkpoint = checkpoint(
            exp,
            cycle,
            &net,
            &values,
            &rewind_point,
            &mask_prev,
            &pruning,
            scores.as_deref(),
            &data.train,
            per_epoch,
        );
        observer.on_event(Event::Cycle {
            entry: &entry,
            checkpoint: &checkpoint,
            ap_pruned: &pruning.ap_pruned,
        })?;
        progress.entries.push(entry);
        if !prune {
            break;
        }
        // Restart the survivors: θ_k (weight rewinding), a fresh draw that becomes the next
        // cycle's θ0 (reinit), or θ*; AP-bias raises located biases.
        if reinit {
            rewind_point = net.reinit_point(exp, cycle + 1);
        }
        let mut next = if rewinds {
            rewind_point.clone()
        } else {
            values
        };
        let fresh: Vec<(usize, usize)> = pruning
            .boosted
            .iter()
            .copied()
            .filter(|n| progress.boosted.insert(*n))
            .collect();
        let k = exp.ap_bias_k.unwrap_or(0.0) as f32;
        for &(kernel, row) in if rewinds {
            progress.boosted.iter().copied().collect::<Vec<_>>()
        } else {
            fresh
        }
        .iter()
        {
            if let Some(b) = bias_of[kernel] {
                next[b][row] += k;
            }
        }
        net.masks = pruning.masks;
        net.load(&next);
        net.reset_optimizer();
        progress = Progress {
            cycle: cycle + 1,
            start: net.masks.remaining(),
            boosted: progress.boosted,
            entries: progress.entries,
            ..Progress::default()
        };
    }
    Ok(RunResult {
        label: label(exp),
        seed: exp.seed,
        experiment: exp.to_hash(),
        cycles: progress.entries,
        complete: true,
        diverged: None,
        nets: Vec::new(),
    })
}

/// Send a snapshot of the run's state, if the observer keeps them.
pub(crate) async fn snapshot(
    net: &NetState,
    progress: &Progress,
    rewind_point: &[Vec<f32>],
    observer: &mut impl Observer,
) -> Result<(), EngineError> {
    if observer.wants_snapshots() {
        let snapshot = Snapshot::take(net, progress, rewind_point).await?;
        observer.on_event(Event::Snapshot(&snapshot))?;
    }
    Ok(())
}

/// What one training of a cycle produced.
struct Trained {
    stats: EpochStats,
    /// (best validation accuracy, test accuracy at that epoch, epoch)
    best: Option<(f64, f64, u32)>,
}

/// Train the cycle's remaining epochs (from `progress.epoch`); with a validation split, track the
/// early-stop point. A snapshot goes out before the first epoch and after every epoch.
async fn train_cycle(
    exp: &Experiment,
    progress: &mut Progress,
    net: &mut NetState,
    data: &Splits,
    hooks: &mut Hooks,
    rewind_point: &[Vec<f32>],
    observer: &mut impl Observer,
) -> Result<Trained, EngineError> {
    let cycle = progress.cycle;
    let per_epoch = data.train.len().div_ceil(exp.batch) as u64;
    let offset = if cycle > 0 && exp.retrain == Retrain::WeightRewind && exp.ap != Ap::NoWr {
        exp.rewind_iteration
    } else {
        0
    };
    let lr = |step: u64| retrain_lr(exp, cycle, step, offset, per_epoch);
    let sgd = Sgd {
        lr: exp.lr,
        momentum: exp.momentum,
        weight_decay: exp.weight_decay,
    };
    let mut how = Stepping {
        sgd,
        batch_size: exp.batch,
        lr: &lr,
        act_reg: (exp.act_reg, exp.act_reg_weight),
    };
    let (units, layers) = (net.model.units(), net.layers());
    if progress.epoch == 0 {
        snapshot(net, progress, rewind_point, observer).await?;
    }
    for epoch in progress.epoch..exp.epochs {
        let mut rng = Rng::new(exp.seed, order_stream(cycle, epoch));
        let stats = train::epoch(
            net,
            &data.train,
            &mut how,
            &mut progress.step,
            hooks,
            &mut rng,
            observer,
        )
        .await
        .map_err(|e| e.during(cycle, epoch))?;
        let dnr = dnr(&units, &layers, &net.masks, &stats.zeros);
        let remaining = net.masks.remaining();
        observer.on_event(Event::Epoch {
            cycle,
            epoch,
            loss: stats.loss,
            train_accuracy: stats.accuracy,
            remaining,
            dnr,
        })?;
        if let Some(val) = &data.val {
            let v = evaluate(net, val, exp.batch.max(256)).await?.accuracy;
            if progress.best.is_none_or(|b| v > b.0) {
                let t = evaluate(net, &data.test, exp.batch.max(256))
                    .await?
                    .accuracy;
                progress.best = Some((v, t, epoch));
            }
        }
        progress.last = Some(stats);
        progress.epoch = epoch + 1;
        progress.gradual_pruned = hooks.pruned;
        snapshot(
            net,
            progress,
            hooks.captured.as_deref().unwrap_or(rewind_point),
            observer,
        )
        .await?;
    }
    let stats = progress.last.clone().ok_or_else(|| {
        EngineError::Experiment(StateError::Invalid("no epoch was trained".into()))
    })?;
    Ok(Trained {
        stats,
        best: progress.best,
    })
}

/// Global Taylor scores at θ*, or SNIP scores at the rewind point (the network is left there;
/// the caller restarts it from its own choice of weights next).
async fn scores(
    exp: &Experiment,
    cycle: u32,
    net: &mut NetState,
    train: &Images,
    rewind_point: &[Vec<f32>],
) -> Result<Option<Vec<Vec<f32>>>, EngineError> {
    let mut rng = Rng::new(exp.seed, score_stream(cycle));
    Ok(match exp.method {
        _ if exp.ap == Ap::Solo => None,
        Method::Taylor => Some(
            gradient_scores(
                net,
                train,
                exp.taylor_batches,
                exp.batch,
                exp.taylor,
                &mut rng,
            )
            .await?,
        ),
        Method::Snip => {
            net.load(rewind_point);
            let batches = Some(exp.snip_batches);
            Some(gradient_scores(net, train, batches, exp.batch, Taylor::Sum, &mut rng).await?)
        }
        _ => None,
    })
}

/// The cycle's checkpoint (schema in `checkpoint`), with the Taylor / SNIP scores as `<param>_score`.
#[allow(clippy::too_many_arguments)]
fn checkpoint(
    exp: &Experiment,
    cycle: u32,
    net: &NetState,
    values: &[Vec<f32>],
    init: &[Vec<f32>],
    mask_prev: &prunelab_core::Masks,
    pruning: &Pruning,
    scores: Option<&[Vec<f32>]>,
    train: &Images,
    per_epoch: u64,
) -> Checkpoint {
    let steps = u64::from(exp.epochs) * per_epoch;
    let mut checkpoint = Checkpoint::cycle(net, values, init, mask_prev, &pruning.masks, steps);
    if let Some(scores) = scores {
        for (layer, score) in net.layers().iter().zip(scores) {
            checkpoint.push_f32(format!("{}_score", layer.name), &layer.shape, score);
        }
    }
    checkpoint.metadata.extend([
        ("model".to_string(), exp.model.to_string()),
        ("classes".to_string(), train.classes().to_string()),
        ("input".to_string(), format!("{:?}", train.shape())),
        ("cycle".to_string(), cycle.to_string()),
        ("experiment".to_string(), exp.to_hash()),
    ]);
    checkpoint
}
