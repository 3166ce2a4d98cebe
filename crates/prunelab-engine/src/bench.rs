//! Training-step throughput: forward + backward + masked SGD step + zero counting, on random
//! images of the model's input shape; the pruning machinery's share of a step; the cost of one
//! pruning selection (the figures behind `prunelab bench` and `cargo xtask bench`); inference
//! throughput of a network at given widths (activation-density pruning's measured gain).

use std::time::Duration;

use burn::prelude::*;
use prunelab_core::Experiment;
use prunelab_core::rng::Rng;
use prunelab_core::state::Model;
use prunelab_data::Dataset;
use prunelab_models::{InputShape, Network, Probe};

use crate::hooks::Hooks;
use crate::images::Images;
use crate::optim::Sgd;
use crate::state::NetState;
use crate::train::Stepping;
use crate::{EngineError, Event, Observer, train};

/// The benchmark reports nothing and never pauses.
struct Quiet;

impl Observer for Quiet {
    fn on_event(&mut self, _: Event<'_>) -> Result<(), EngineError> {
        Ok(())
    }
}

/// Random images and labels, `n` samples of `shape`.
fn random_images(n: usize, shape: [usize; 3], classes: usize) -> Dataset {
    let mut rng = Rng::new(0, 0xbe7c);
    let len = n * shape.iter().product::<usize>();
    let images = (0..len).map(|_| rng.below(256) as u8).collect();
    let labels = (0..n).map(|_| rng.below(classes) as u16).collect();
    Dataset {
        images,
        labels,
        shape,
        classes,
    }
}

/// Time `steps` training steps of `exp.model` at `exp.batch` after one warm-up epoch of `steps`
/// steps (kernel compilation, autotuning); `now` is the caller's clock. Returns time per step.
pub async fn training_step(
    exp: &Experiment,
    input: [usize; 3],
    device: &Device,
    steps: usize,
    now: impl Fn() -> Duration,
) -> Result<Duration, EngineError> {
    let data = Images::memory(random_images(exp.batch * steps, input, 10));
    let mut net = NetState::new(exp, InputShape(input), 10, &device.clone().autodiff());
    let sgd = Sgd {
        lr: exp.lr,
        momentum: exp.momentum,
        weight_decay: exp.weight_decay,
    };
    let lr = |_| exp.lr;
    let mut how = Stepping {
        sgd,
        batch_size: exp.batch,
        lr: &lr,
        act_reg: (exp.act_reg, exp.act_reg_weight),
    };
    let (mut rng, mut step, mut hooks) = (Rng::new(exp.seed, 0), 0, Hooks::default());
    train::epoch(
        &mut net, &data, &mut how, &mut step, &mut hooks, &mut rng, &mut Quiet,
    )
    .await?;
    let start = now();
    train::epoch(
        &mut net, &data, &mut how, &mut step, &mut hooks, &mut rng, &mut Quiet,
    )
    .await?;
    Ok((now() - start) / steps.max(1) as u32)
}

/// Inference throughput, in images per second, of `model` with its resizable layers at `widths`
/// (`prunelab_models::Network::with_widths`): forward passes in inference mode (no autodiff, no
/// zero counting) over batches of `batch` random images, each pass read back (so the device has
/// finished it), after two warm-up passes; timed until `seconds` have passed and at least three
/// passes ran. `now` is the caller's clock.
#[allow(clippy::too_many_arguments)]
pub async fn inference(
    model: Model,
    input: [usize; 3],
    classes: usize,
    widths: &[usize],
    device: &Device,
    batch: usize,
    seconds: f64,
    now: impl Fn() -> Duration,
) -> Result<f64, EngineError> {
    let net = Network::with_widths(model, InputShape(input), classes, widths, device)
        .map_err(EngineError::Model)?;
    let data = random_images(batch.max(1), input, classes);
    let images = Images::memory(data);
    let (_, x, _) = images
        .batches((0..batch.max(1)).collect(), batch.max(1), 0, device)
        .next()
        .ok_or_else(|| EngineError::Data("no images".into()))??;
    let pass = || async {
        let logits = net.forward(x.clone(), &mut Probe::disabled());
        logits
            .sum()
            .into_data_async()
            .await
            .map_err(EngineError::device)
            .map(|_| ())
    };
    pass().await?;
    pass().await?;
    let (start, mut passes) = (now(), 0u32);
    while passes < 3 || (now() - start).as_secs_f64() < seconds {
        pass().await?;
        passes += 1;
    }
    Ok(f64::from(passes) * batch.max(1) as f64 / (now() - start).as_secs_f64().max(1e-9))
}

/// Time per step of `steps` steps on one fixed random batch, with the pruning machinery (the
/// masks re-applied by the optimiser and per-channel zero counting in the forward pass, summed
/// on the device) or without it (plain forward, unmasked update). Both variants read back the
/// summed loss — and the machinery the zero counts — once at the end, so the device has finished.
/// One warm-up step comes first.
pub async fn machinery_step(
    exp: &Experiment,
    input: [usize; 3],
    device: &Device,
    steps: usize,
    machinery: bool,
    now: impl Fn() -> Duration,
) -> Result<Duration, EngineError> {
    let data = Images::memory(random_images(exp.batch, input, 10));
    let mut net = NetState::new(exp, InputShape(input), 10, &device.clone().autodiff());
    let masks = std::mem::take(&mut net.device_masks);
    if machinery {
        net.device_masks = masks;
    }
    let sgd = Sgd {
        lr: exp.lr,
        momentum: exp.momentum,
        weight_decay: exp.weight_decay,
    };
    let roles = net
        .infos
        .iter()
        .map(|i| (i.id, i.role))
        .collect::<std::collections::HashMap<_, _>>();
    let loss_fn = burn::nn::loss::CrossEntropyLossConfig::new().init(&net.device);
    let dev = net.device.clone();
    let (_, x, y) = data
        .batches((0..exp.batch).collect(), exp.batch, 0, &dev)
        .next()
        .expect("one batch")?;
    let mut start = now();
    let mut loss_sum: Option<Tensor<1>> = None;
    let mut zeros: Vec<Tensor<1, Int>> = Vec::new();
    for step in 0..=steps {
        if step == 1 {
            start = now();
        }
        let mut probe = if machinery {
            Probe::counting()
        } else {
            Probe::disabled()
        };
        let logits = net.model.forward(x.clone(), &mut probe);
        let loss = loss_fn.forward(logits, y.clone());
        let grads = loss.backward();
        sgd.step(&mut net, &grads, &roles);
        let loss = loss.inner();
        loss_sum = Some(match loss_sum {
            Some(s) => s + loss,
            None => loss,
        });
        zeros = if zeros.is_empty() {
            probe.zeros
        } else {
            zeros
                .into_iter()
                .zip(probe.zeros)
                .map(|(a, z)| a + z)
                .collect()
        };
        if step == 0 {
            let warm = std::mem::take(&mut loss_sum).expect("a loss");
            warm.into_data_async().await.map_err(EngineError::device)?;
        }
    }
    let mut reads = zeros;
    reads.push(loss_sum.expect("a loss").int());
    Tensor::cat(reads, 0)
        .into_data_async()
        .await
        .map_err(EngineError::device)?;
    Ok((now() - start) / steps.max(1) as u32)
}

/// The weights and masks of one selection benchmark (native: the model is built on the CPU): θ0 from the model's initialisation, θ*
/// = θ0 + N(0, 0.01²) per weight (a stand-in for training), all dense.
#[cfg(not(target_arch = "wasm32"))]
pub struct SelectionInput {
    pub layers: Vec<prunelab_core::Layer>,
    pub theta_star: Vec<Vec<f32>>,
    pub theta0: Vec<Vec<f32>>,
}

#[cfg(not(target_arch = "wasm32"))]
impl SelectionInput {
    /// The kernels of `exp.model` at `input` with `classes` outputs (ResNet-50 at 3×224×224 and
    /// 1000 classes: 25.5 M weights), built on the CPU.
    pub fn new(exp: &Experiment, input: [usize; 3], classes: usize) -> Self {
        let net = NetState::new(exp, InputShape(input), classes, &Device::flex());
        let theta0 = net.kernels(&net.theta0);
        let mut rng = Rng::new(exp.seed, 0x5e1ec7);
        let theta_star = theta0
            .iter()
            .map(|k| k.iter().map(|w| w + 0.01 * rng.normal() as f32).collect())
            .collect();
        Self {
            layers: net.layers(),
            theta_star,
            theta0,
        }
    }

    pub fn weights(&self) -> usize {
        self.layers.iter().map(|l| l.len()).sum()
    }

    /// One pruning step of `exp` (base method X, then AP: AP paper, Algorithm 2) from dense masks;
    /// returns the pruned counts.
    pub fn select(
        &self,
        exp: &Experiment,
    ) -> Result<prunelab_core::cycle::CycleCounts, EngineError> {
        let obs = prunelab_core::cycle::Observed {
            layers: &self.layers,
            theta_star: &self.theta_star,
            theta0: &self.theta0,
            scores: None,
            dead_rate: None,
        };
        let masks = prunelab_core::Masks::dense(&self.layers);
        let pruning = prunelab_core::prune_cycle(exp, 0, &obs, &masks)
            .map_err(|e| EngineError::Device(e.to_string()))?;
        Ok(pruning.counts)
    }
}
