//! Activation-density pruning in training (Foldy-Porto et al., Algorithm 1): net0 is the model at
//! its standard widths; each net[i] is freshly initialised and trained — with the run's LR
//! schedule from its start — until ρ (total AE saturated, `prunelab_core::density::criterion`) or
//! `epochs`, evaluated, and then, unless δ is met (its AE curve trends upward) or `density_nets`
//! nets are done, rebuilt as net[i+1] with `round(AE[L] × width[L])` channels per layer from the
//! layer-wise AE of its last epoch. AE comes from each epoch's own training pass (the zero counts
//! DNR uses), so it costs no extra pass. A resize that changes no width also ends the run (the
//! next net would repeat this one).
//!
//! With `density_init = "inherit"`, net[i+1] starts instead from a seeded random subset of
//! net[i]'s trained filters in every resized layer (`prunelab_core::density::inherit`); tensors
//! net[i] lacks (a projection a resized block now needs) keep their fresh initialisation.
//!
//! Resume: the snapshot after every epoch holds the finished nets, the widths of the net in
//! training and its AE curve so far, so a run resumes at the epoch (see `resume`).

use burn::prelude::*;
use prunelab_core::density::complexity::reduction;
use prunelab_core::density::criterion::{rising, saturated, slope};
use prunelab_core::density::inherit::{keep_channels, slice};
use prunelab_core::density::{activation_energy, resize};
use prunelab_core::dnr::dnr;
use prunelab_core::macs::totals;
use prunelab_core::plan::label;
use prunelab_core::report::{NetEntry, RunResult};
use prunelab_core::rng::Rng;
use prunelab_core::schedule::lr_at;
use prunelab_core::state::DensityInit;
use prunelab_core::{Experiment, StateError};
use prunelab_models::{InputShape, Network};

use crate::eval::evaluate;
use crate::hooks::Hooks;
use crate::optim::Sgd;
use crate::resume::{DensityProgress, Progress, Snapshot};
use crate::run::{Event, Observer, Splits, order_stream, snapshot};
use crate::state::NetState;
use crate::train::Stepping;
use crate::{Checkpoint, EngineError, train};

/// Run `exp` (`method = density`) on `data`; `device` has autodiff enabled.
pub(crate) async fn run(
    exp: &Experiment,
    data: &Splits,
    device: &Device,
    observer: &mut impl Observer,
    mut resume: Option<&Checkpoint>,
) -> Result<RunResult, EngineError> {
    let (input, classes) = (InputShape(data.train.shape()), data.train.classes());
    let base = Network::widths_of(exp.model, input, classes)
        .ok_or_else(|| StateError::Invalid(format!("{} cannot be resized", exp.model)))?;
    let base_costs = totals(
        &Network::costs_with_widths(exp.model, input, classes, &base)
            .map_err(EngineError::Model)?,
    );
    let mut progress = Progress {
        start: 1.0,
        density: Some(DensityProgress {
            widths: base,
            ..DensityProgress::default()
        }),
        ..Progress::default()
    };
    if let Some(ck) = resume {
        progress = Snapshot::progress_of(ck, &exp.to_hash())?;
        if progress.density.is_none() {
            return Err(EngineError::Checkpoint(
                "the resume file is not of an activation-density run".into(),
            ));
        }
    }
    let per_epoch = data.train.len().div_ceil(exp.batch) as u64;
    let mut previous: Option<Trained> = None;
    loop {
        let index = progress.cycle;
        let mut density = progress.density.take().unwrap_or_default();
        let mut net = NetState::resized(exp, input, classes, &density.widths, index, device)?;
        if let (DensityInit::Inherit, Some(prev)) = (exp.density_init, &previous) {
            inherit(&mut net, prev, &density.widths, exp.seed, index);
        }
        if let Some(ck) = resume.take() {
            // the snapshot's rewind point is the net's θ0 (inherited or fresh)
            net.theta0 = Snapshot::from_checkpoint(ck, &net, &exp.to_hash())?.restore(&mut net);
        }
        let units = net.model.units();
        let layers = net.layers();
        let theta0 = net.theta0.clone();
        let lr = |step: u64| lr_at(exp, step, per_epoch);
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
        let rho = |curve: &[f64]| saturated(curve, exp.rho_threshold, exp.rho_epochs as usize);
        if progress.epoch == 0 {
            progress.density = Some(density.clone());
            snapshot(&net, &progress, &theta0, observer).await?;
        }
        while progress.epoch < exp.epochs && !rho(&density.ae) {
            let epoch = progress.epoch;
            let mut rng = Rng::new(exp.seed, order_stream(index, epoch));
            let stats = train::epoch(
                &mut net,
                &data.train,
                &mut how,
                &mut progress.step,
                &mut Hooks::default(),
                &mut rng,
                observer,
            )
            .await
            .map_err(|e| e.during(index, epoch))?;
            let energy = activation_energy(&units, &stats.zeros);
            density.ae.push(energy.total);
            density.layer_ae.push(energy.layers);
            let dnr = dnr(&units, &layers, &net.masks, &stats.zeros);
            observer.on_event(Event::Epoch {
                cycle: index,
                epoch,
                loss: stats.loss,
                train_accuracy: stats.accuracy,
                remaining: 1.0,
                dnr,
            })?;
            progress.last = Some(stats);
            progress.epoch = epoch + 1;
            progress.density = Some(density.clone());
            snapshot(&net, &progress, &theta0, observer).await?;
        }
        let eval = evaluate(&net, &data.test, exp.batch.max(256)).await?;
        let costs = Network::costs_with_widths(exp.model, input, classes, &density.widths)
            .map_err(EngineError::Model)?;
        let t = totals(&costs);
        let last_ae = density.layer_ae.last().cloned().unwrap_or_default();
        let entry = NetEntry {
            net: index,
            layers: units.iter().map(|u| u.name.clone()).collect(),
            widths: density.widths.clone(),
            parameters: t.parameters,
            macs: t.macs,
            parameters_reduction: reduction(base_costs.parameters, t.parameters),
            ops_reduction: reduction(base_costs.macs, t.macs),
            costs,
            test_accuracy: eval.accuracy,
            train_loss: progress.last.as_ref().map_or(0.0, |s| s.loss),
            epochs: progress.epoch,
            epochs_to_rho: rho(&density.ae).then_some(progress.epoch),
            slope: slope(&density.ae, exp.delta_window as usize),
            rising: rising(&density.ae, exp.delta_window as usize, exp.delta_slope),
            ae: density.ae.clone(),
            layer_ae: density.layer_ae.clone(),
            images_per_s: None,
        };
        let values = net.read().await?;
        let checkpoint = export(
            exp,
            &net,
            &values,
            &entry,
            input,
            classes,
            u64::from(progress.epoch) * per_epoch,
        )?;
        observer.on_event(Event::Net {
            entry: &entry,
            checkpoint: &checkpoint,
        })?;
        let tensors = net
            .infos
            .iter()
            .map(|i| (i.name.clone(), i.shape.clone()))
            .collect();
        previous = Some(Trained {
            tensors,
            values,
            widths: density.widths.clone(),
        });
        let next = resize(&density.widths, &last_ae);
        let stop = entry.rising || index + 1 >= exp.density_nets || next == density.widths;
        if entry.rising {
            observer.on_event(Event::Status(format!(
                "δ: the AE curve of net{index} rises (slope {:.2e} per epoch); pruning stops",
                entry.slope
            )))?;
        }
        density.nets.push(entry);
        if stop {
            return Ok(RunResult {
                label: label(exp),
                seed: exp.seed,
                experiment: exp.to_hash(),
                cycles: Vec::new(),
                complete: true,
                diverged: None,
                nets: density.nets,
            });
        }
        let density = DensityProgress {
            nets: density.nets,
            widths: next,
            ..DensityProgress::default()
        };
        progress = Progress {
            cycle: index + 1,
            start: 1.0,
            density: Some(density),
            ..Progress::default()
        };
    }
}

/// A trained net, as the next one may inherit from it: (name, PyTorch shape) and value of every
/// tensor, and its widths.
struct Trained {
    tensors: Vec<(String, Vec<usize>)>,
    values: Vec<Vec<f32>>,
    widths: Vec<usize>,
}

/// Start `net` (net[`index`], at `widths`) from a random subset of `prev`'s channels in every
/// resized layer: each tensor both nets have is sliced along the axes those channels index
/// (`Network::axes`); the rest keep their fresh values. The result is also the net's θ0.
fn inherit(net: &mut NetState, prev: &Trained, widths: &[usize], seed: u64, index: u32) {
    let keep = keep_channels(&prev.widths, widths, seed, index);
    let mut values = net.theta0.clone();
    for (value, info) in values.iter_mut().zip(&net.infos) {
        let Some(axes) = net.model.axes(&info.name) else {
            continue;
        };
        let Some(at) = prev.tensors.iter().position(|(name, _)| *name == info.name) else {
            continue;
        };
        if let Some(kept) = slice(
            &prev.values[at],
            &prev.tensors[at].1,
            &info.shape,
            &axes,
            &keep,
        ) {
            *value = kept;
        }
    }
    net.theta0.clone_from(&values);
    net.load(&values);
}

/// net_i as a PyTorch state dict, with what rebuilds it in its metadata: `model`, `classes`,
/// `input`, `net`, `widths` and `layers` (JSON lists), `experiment`.
fn export(
    exp: &Experiment,
    net: &NetState,
    values: &[Vec<f32>],
    entry: &NetEntry,
    input: InputShape,
    classes: usize,
    steps: u64,
) -> Result<Checkpoint, EngineError> {
    let bad = |e: serde_json::Error| EngineError::Checkpoint(e.to_string());
    let mut ck = Checkpoint::weights(net, values, steps);
    ck.metadata.extend([
        ("model".to_string(), exp.model.to_string()),
        ("classes".to_string(), classes.to_string()),
        ("input".to_string(), format!("{:?}", input.0)),
        ("net".to_string(), entry.net.to_string()),
        (
            "widths".to_string(),
            serde_json::to_string(&entry.widths).map_err(bad)?,
        ),
        (
            "layers".to_string(),
            serde_json::to_string(&entry.layers).map_err(bad)?,
        ),
        ("experiment".to_string(), exp.to_hash()),
    ]);
    Ok(ck)
}
