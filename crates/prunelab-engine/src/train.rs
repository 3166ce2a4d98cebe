//! One training epoch: forward with zero counting, backward, masked SGD step at the scheduled
//! learning rate, then the step hooks (rewind-point capture, gradual pruning). Loss, accuracy and
//! the per-channel zero counts accumulate on the device and are read back once, at the end.

use std::collections::HashMap;

use burn::nn::loss::CrossEntropyLossConfig;
use burn::prelude::*;
use prunelab_core::dnr::ZeroCounts;
use prunelab_core::rng::Rng;
use prunelab_core::state::ActReg;
use prunelab_models::Probe;

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

/// Train `net` for one epoch over `data` in an order drawn from `rng`. `step` counts optimiser
/// steps within the current training and is advanced here; `observer` may pause or stop the run
/// before each step ([`Observer::between_steps`]).
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
    let device = net.device.clone();
    for item in data.batches(order, how.batch_size, rng.next_u64(), &device) {
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
        let weighted = ce.inner() * n as f64;
        loss_sum = Some(match loss_sum {
            Some(s) => s + weighted,
            None => weighted,
        });
        tally.add(logits.inner(), y.inner(), probe);
    }
    let loss_sum = match loss_sum {
        Some(s) => s
            .into_data_async()
            .await
            .map_err(EngineError::device)?
            .convert::<f64>()
            .try_into_vec::<f64>()
            .map_err(EngineError::device)?[0],
        None => 0.0,
    };
    let (correct, zeros) = tally.read(data.len()).await?;
    let n = data.len().max(1) as f64;
    Ok(EpochStats {
        loss: loss_sum / n,
        accuracy: correct as f64 / n,
        zeros,
    })
}
