//! The pruning run (AP paper, Algorithm 2). Cycle c = 0..=cycles: train from θ0 with the current
//! mask, evaluate (accuracy, DNR on the test split), then — except after the last — prune
//! (base method X, then AP; see `prunelab_core::cycle`) and rewind the survivors to θ0.

use burn::prelude::*;
use prunelab_core::dnr::{Dnr, dnr};
use prunelab_core::report::CycleEntry;
use prunelab_core::rng::Rng;
use prunelab_core::{CycleCounts, Experiment, prune_cycle};
use prunelab_data::Split;
use prunelab_models::InputShape;

use crate::batch::subset;
use crate::eval::evaluate;
use crate::optim::Sgd;
use crate::state::NetState;
use crate::{Checkpoint, EngineError, train};

/// Progress reported while a run goes on.
pub enum Event<'a> {
    Status(String),
    /// An epoch's training loss/accuracy and the DNR of its own training pass (no extra pass).
    Epoch { cycle: u32, epoch: u32, loss: f64, train_accuracy: f64, remaining: f64, dnr: Dnr },
    /// A finished cycle, with its checkpoint (θ*, masks before/after pruning, θ0).
    Cycle { entry: &'a CycleEntry, checkpoint: &'a Checkpoint },
}

/// Receives events; an error stops the run (e.g. a checkpoint that cannot be written).
pub trait Observer {
    fn on_event(&mut self, event: Event<'_>) -> Result<(), EngineError>;
}

/// Data-order stream of one epoch, disjoint from the per-kernel initialisation streams.
fn order_stream(cycle: u32, epoch: u32) -> u64 {
    (1 << 40) + (u64::from(cycle) << 20) + u64::from(epoch)
}

/// Run `exp` on `split` on `device` (a plain device; autodiff is enabled here).
pub async fn run(exp: &Experiment, split: &Split, device: &Device, observer: &mut impl Observer) -> Result<Vec<CycleEntry>, EngineError> {
    exp.validate()?;
    let train_set = subset(&split.train, exp.train_size);
    let test_set = subset(&split.test, exp.test_size);
    observer.on_event(Event::Status(format!(
        "{} on {} ({} train / {} test images), {} cycles × {} epochs",
        exp.model, exp.data, train_set.len(), test_set.len(), exp.cycles, exp.epochs
    )))?;
    let mut net = NetState::new(exp, InputShape(train_set.shape), train_set.classes, &device.clone().autodiff());
    let sgd = Sgd { lr: exp.lr, momentum: exp.momentum, weight_decay: exp.weight_decay };
    let steps = u64::from(exp.epochs) * train_set.len().div_ceil(exp.batch) as u64;
    let (units, layers) = (net.model.units(), net.layers());
    let mut entries = Vec::new();
    for cycle in 0..=exp.cycles {
        let remaining = net.masks.remaining();
        let mut train_loss = 0.0;
        for epoch in 0..exp.epochs {
            let mut rng = Rng::new(exp.seed, order_stream(cycle, epoch));
            let stats = train::epoch(&mut net, &train_set, &sgd, exp.batch, &mut rng).await?;
            train_loss = stats.loss;
            let dnr = dnr(&units, &layers, &net.masks, &stats.zeros);
            observer.on_event(Event::Epoch { cycle, epoch, loss: stats.loss, train_accuracy: stats.accuracy, remaining, dnr })?;
        }
        let eval = evaluate(&net, &test_set, exp.batch.max(256)).await?;
        let values = net.read().await?;
        let mask_prev = net.masks.clone();
        let (mask, pruned) = if cycle < exp.cycles {
            prune_cycle(exp, cycle, &net.kernels(&values), &net.kernels(&net.theta0), &mask_prev)
        } else {
            (mask_prev.clone(), CycleCounts::default())
        };
        let entry = CycleEntry {
            cycle,
            remaining,
            remaining_after: mask.remaining(),
            test_accuracy: eval.accuracy,
            train_loss,
            pruned,
            dnr: eval.dnr,
        };
        let mut checkpoint = Checkpoint::cycle(&net, &values, &mask_prev, &mask, steps);
        checkpoint.metadata.extend([
            ("model".to_string(), exp.model.to_string()),
            ("classes".to_string(), train_set.classes.to_string()),
            ("input".to_string(), format!("{:?}", train_set.shape)),
            ("cycle".to_string(), cycle.to_string()),
            ("experiment".to_string(), exp.to_hash()),
        ]);
        observer.on_event(Event::Cycle { entry: &entry, checkpoint: &checkpoint })?;
        entries.push(entry);
        net.masks = mask;
        net.rewind();
    }
    Ok(entries)
}
