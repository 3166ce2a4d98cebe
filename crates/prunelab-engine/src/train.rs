//! One training epoch: forward with zero counting, backward, masked SGD step at the scheduled
//! learning rate, then the step hooks (rewind-point capture, gradual pruning). Loss, accuracy and
//! the per-channel zero counts accumulate on the device and are read back once, at the end.
//! So does the divergence flag: the first step whose loss is not finite, and whether every weight
//! still is at the end (no extra sync per step).

use std::collections::HashMap;

use burn::nn::loss::CrossEntropyLossConfig;
use burn::prelude::*;
use prunelab_core::dnr::ZeroCounts;
use prunelab_core::report::Divergence;
use prunelab_core::rng::Rng;
use prunelab_core::state::ActReg;
use prunelab_models::{Probe, params};

use crate::eval::Tally;
use crate::hooks::Hooks;
use crate::images::Images;
use crate::optim::Sgd;
use crate::state::NetState;
use crate::{EngineError, Observer};

/// What an epoch measured on its training batches.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EpochStats {
    pub loss: f64,
    pub accuracy: f64,
    pub zeros: ZeroCounts,
}

/// How the epoch's steps are driven.
pub struct Stepping<'a> {
    pub sgd: Sgd,
    pub batch_size: usize,
    /// LR of the optimiser step with this index within the current training.
    pub lr: &'a dyn Fn(u64) -> f64,
    /// Activation-density term subtracted from the loss with this weight.
    pub act_reg: (ActReg, f64),
}

/// Steps of an epoch are numbered below this in the divergence flag (2^24: exact in f32).
const FINITE: f32 = 16_777_216.0;

/// `i` where `loss` is not finite (`loss − loss` is NaN exactly then), else [`FINITE`].
fn flag_step(loss: Tensor<1>, i: usize) -> Tensor<1> {
    let bad = (loss.clone() - loss).is_nan().float();
    bad.mul_scalar(i as f32 - FINITE).add_scalar(FINITE)
}

/// 0 when every value of every tensor of `net` is finite, else NaN (`0 · ±∞` and `0 · NaN` are NaN).
fn weights_flag(net: &NetState) -> Tensor<1> {
    let zero = Tensor::<1>::zeros([1], &net.device.clone().inner());
    params::read(&net.model.valid())
        .into_iter()
        .fold(zero, |acc, (_, flat)| acc + (flat * 0.0).sum())
}

/// Train `net` for one epoch over `data` in an order drawn from `rng`. `step` counts optimiser
/// steps within the current training and is advanced here; `observer` may pause or stop the run
/// before each step ([`Observer::between_steps`]). A loss or weight that is no longer finite ends
/// the epoch's readback with [`EngineError::Diverged`] at the first such step (located in its
/// cycle and epoch by the caller, [`EngineError::during`]).
pub async fn epoch(
    net: &mut NetState,
    data: &Images,
    how: &mut Stepping<'_>,
    step: &mut u64,
    hooks: &mut Hooks,
    rng: &mut Rng,
    observer: &mut impl Observer,
) -> Result<EpochStats, EngineError> {
    let mut order: Vec<usize> = (0..data.len()).collect();
    rng.shuffle(&mut order);
    let roles = net
        .infos
        .iter()
        .map(|i| (i.id, i.role))
        .collect::<HashMap<_, _>>();
    let loss_fn = CrossEntropyLossConfig::new().init(&net.device);
    let mut tally = Tally::default();
    let mut loss_sum: Option<Tensor<1>> = None;
    let mut first_bad: Option<Tensor<1>> = None;
    let start = *step;
    let device = net.device.clone();
    for (i, item) in data
        .batches(order, how.batch_size, rng.next_u64(), &device)
        .enumerate()
    {
        observer.between_steps().await?;
        let (n, x, y) = item?;
        let mut probe = Probe::counting().with_density(how.act_reg.0);
        let logits = net.model.forward(x, &mut probe);
        let ce = loss_fn.forward(logits.clone(), y.clone());
        let loss = match probe.density.take() {
            Some(density) => ce.clone() - density * how.act_reg.1,
            None => ce.clone(),
        };
        let grads = loss.backward();
        how.sgd.lr = (how.lr)(*step);
        how.sgd.step(net, &grads, &roles);
        *step += 1;
        hooks.after_step(net, *step).await?;
        let ce = ce.inner();
        let at = flag_step(ce.clone(), i);
        first_bad = Some(match first_bad {
            Some(f) => f.min_pair(at),
            None => at,
        });
        let weighted = ce * n as f64;
        loss_sum = Some(match loss_sum {
            Some(s) => s + weighted,
            None => weighted,
        });
        tally.add(logits.inner(), y.inner(), probe);
    }
    let (loss_sum, first_bad) = match (loss_sum, first_bad) {
        (Some(sum), Some(first)) => {
            let flags = Tensor::cat(vec![sum, first, weights_flag(net)], 0);
            let read = flags
                .into_data_async()
                .await
                .map_err(EngineError::device)?
                .convert::<f64>()
                .try_into_vec::<f64>()
                .map_err(EngineError::device)?;
            let steps = *step - start;
            let first = if read[1] < f64::from(FINITE) {
                Some(read[1] as u64)
            } else {
                // finite losses: a weight (or the sum) went bad in the last step
                (!(read[0].is_finite() && read[2] == 0.0)).then(|| steps.saturating_sub(1))
            };
            (read[0], first)
        }
        _ => (0.0, None),
    };
    if let Some(i) = first_bad {
        return Err(EngineError::Diverged(Divergence {
            cycle: 0,
            epoch: 0,
            step: start + i,
        }));
    }
    let (correct, zeros) = tally.read(data.len()).await?;
    let n = data.len().max(1) as f64;
    Ok(EpochStats {
        loss: loss_sum / n,
        accuracy: correct as f64 / n,
        zeros,
    })
}
