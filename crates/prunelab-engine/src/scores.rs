//! Gradient-based saliency for Global Taylor and SNIP: |θ ⊙ Σ_b ∂L_b/∂θ| per kernel weight, the
//! gradient summed over several training batches (Molchanov et al. 2017 use the first-order
//! Taylor term; SNIP, Lee et al. 2019, is the same quantity at the rewind point). Gradients
//! accumulate on the device; the scores are read back once.

use burn::nn::loss::CrossEntropyLossConfig;
use burn::prelude::*;
use prunelab_core::rng::Rng;
use prunelab_models::Probe;
use prunelab_models::params::{self, Role};

use crate::EngineError;
use crate::images::Images;
use crate::state::NetState;

/// Scores of every kernel (PyTorch layout) at the network's current weights, over `batches`
/// batches of `batch_size` drawn from `rng` (`None`: one epoch). Weights are not updated.
pub async fn gradient_scores(
    net: &NetState,
    data: &Images,
    batches: Option<u32>,
    batch_size: usize,
    rng: &mut Rng,
) -> Result<Vec<Vec<f32>>, EngineError> {
    let mut epoch: Vec<usize> = (0..data.len()).collect();
    rng.shuffle(&mut epoch);
    let batch_size = batch_size.max(1);
    // One epoch, or `batches` batches — going round the data again if an epoch has fewer.
    let n = batches.map_or(epoch.len(), |b| b as usize * batch_size);
    let order: Vec<usize> = epoch.iter().copied().cycle().take(n).collect();
    let loss_fn = CrossEntropyLossConfig::new().init(&net.device);
    let mut sums: Vec<Option<Tensor<1>>> = Vec::new();
    for item in data.batches(order, batch_size, rng.next_u64(), &net.device) {
        let (_, x, y) = item?;
        let logits = net.model.forward(x, &mut Probe::disabled());
        let grads = loss_fn.forward(logits, y).backward();
        let kernels = params::grads(&net.model, &grads)
            .into_iter()
            .filter(|(info, _)| info.role == Role::Kernel);
        let fresh: Vec<Option<Tensor<1>>> = kernels.map(|(_, g)| g).collect();
        sums = if sums.is_empty() {
            fresh
        } else {
            sums.into_iter()
                .zip(fresh)
                .map(|(a, b)| add(a, b))
                .collect()
        };
    }
    let weights = params::read(&net.model)
        .into_iter()
        .filter(|(info, _)| info.role == Role::Kernel);
    let flats: Vec<Tensor<1>> = weights
        .zip(sums.into_iter().chain(std::iter::repeat(None)))
        .map(|((info, w), g)| match g {
            Some(g) => (w.inner() * g).abs(),
            None => Tensor::zeros([info.len()], &net.device.clone().inner()),
        })
        .collect();
    let lens: Vec<usize> = flats.iter().map(|f| f.dims()[0]).collect();
    let all: Vec<f32> = Tensor::cat(flats, 0)
        .into_data_async()
        .await
        .map_err(EngineError::device)?
        .convert::<f32>()
        .try_into_vec()
        .map_err(EngineError::device)?;
    let mut out = Vec::with_capacity(lens.len());
    let mut at = 0;
    for len in lens {
        out.push(all[at..at + len].to_vec());
        at += len;
    }
    Ok(out)
}

fn add(a: Option<Tensor<1>>, b: Option<Tensor<1>>) -> Option<Tensor<1>> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a + b),
        (a, b) => a.or(b),
    }
}
