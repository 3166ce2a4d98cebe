//! Training-step throughput: forward + backward + masked SGD step + zero counting, on random
//! images of the model's input shape. The figures behind `prunelab bench`.

use std::time::Duration;

use burn::prelude::*;
use prunelab_core::Experiment;
use prunelab_core::rng::Rng;
use prunelab_data::Dataset;
use prunelab_models::InputShape;

use crate::hooks::Hooks;
use crate::optim::Sgd;
use crate::state::NetState;
use crate::images::Images;
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
    train::epoch(&mut net, &data, &mut how, &mut step, &mut hooks, &mut rng, &mut Quiet).await?;
    let start = now();
    train::epoch(&mut net, &data, &mut how, &mut step, &mut hooks, &mut rng, &mut Quiet).await?;
    Ok((now() - start) / steps.max(1) as u32)
}
