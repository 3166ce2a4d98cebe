//! Training-step throughput: forward + backward + masked SGD step + zero counting, on random
//! images of the model's input shape (the figures behind `prunelab bench`), and inference
//! throughput of a network at given widths (activation-density pruning's measured gain).

use std::time::Duration;

use burn::prelude::*;
use prunelab_core::Experiment;
use prunelab_core::rng::Rng;
use prunelab_data::Dataset;
use prunelab_core::state::Model;
use prunelab_models::{InputShape, Network, Probe};

use crate::hooks::Hooks;
use crate::optim::Sgd;
use crate::state::NetState;
use crate::images::Images;
use crate::train::Stepping;
use crate::{EngineError, train};

/// Random images and labels, `n` samples of `shape`.
fn random_images(n: usize, shape: [usize; 3], classes: usize) -> Dataset {
    let mut rng = Rng::new(0, 0xbe7c);
    let len = n * shape.iter().product::<usize>();
    let images = (0..len).map(|_| rng.below(256) as u8).collect();
    let labels = (0..n).map(|_| rng.below(classes) as u16).collect();
    Dataset { images, labels, shape, classes }
}

/// Time `steps` training steps of `exp.model` at `exp.batch` after one warm-up epoch of `steps`
/// steps (kernel compilation, autotuning); `now` is the caller's clock. Returns time per step.
pub async fn training_step(exp: &Experiment, input: [usize; 3], device: &Device, steps: usize, now: impl Fn() -> Duration) -> Result<Duration, EngineError> {
    let data = Images::memory(random_images(exp.batch * steps, input, 10));
    let mut net = NetState::new(exp, InputShape(input), 10, &device.clone().autodiff());
    let sgd = Sgd { lr: exp.lr, momentum: exp.momentum, weight_decay: exp.weight_decay };
    let lr = |_| exp.lr;
    let mut how = Stepping { sgd, batch_size: exp.batch, lr: &lr, act_reg: (exp.act_reg, exp.act_reg_weight) };
    let (mut rng, mut step, mut hooks) = (Rng::new(exp.seed, 0), 0, Hooks::default());
    train::epoch(&mut net, &data, &mut how, &mut step, &mut hooks, &mut rng).await?;
    let start = now();
    train::epoch(&mut net, &data, &mut how, &mut step, &mut hooks, &mut rng).await?;
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
    let net = Network::with_widths(model, InputShape(input), classes, widths, device).map_err(EngineError::Stopped)?;
    let data = random_images(batch.max(1), input, classes);
    let images = Images::memory(data);
    let (_, x, _) = images.batches((0..batch.max(1)).collect(), batch.max(1), 0, device).next().ok_or_else(|| EngineError::Stopped("no images".into()))??;
    let pass = || async {
        let logits = net.forward(x.clone(), &mut Probe::disabled());
        logits.sum().into_data_async().await.map_err(EngineError::device).map(|_| ())
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
