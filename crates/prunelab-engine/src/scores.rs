//! Gradient-based saliency for Global Taylor and SNIP per kernel weight, from the gradients g_b of
//! several training batches at the network's current weights θ: |θ ⊙ Σ_b g_b| (`taylor = sum`;
//! SNIP, Lee et al. 2019, is this at the rewind point), mean_b |θ ⊙ g_b| (`batch-abs`) or
//! mean_b (θ ⊙ g_b)² (`batch-sq`, Molchanov et al. 2019). Terms accumulate on the device; the
//! scores are read back once.

use burn::nn::loss::CrossEntropyLossConfig;
use burn::prelude::*;
use prunelab_core::rng::Rng;
use prunelab_core::state::Taylor;
use prunelab_models::Probe;
use prunelab_models::params;

use crate::EngineError;
use crate::images::Images;
use crate::state::NetState;

/// Scores of every kernel (PyTorch layout) at the network's current weights, over `batches`
/// batches of `batch_size` drawn from `rng` (`None`: one epoch), combined as `form` says.
/// Weights are not updated.
pub async fn gradient_scores(
    net: &NetState,
    data: &Images,
    batches: Option<u32>,
    batch_size: usize,
    form: Taylor,
    rng: &mut Rng,
) -> Result<Vec<Vec<f32>>, EngineError> {
    let mut epoch: Vec<usize> = (0..data.len()).collect();
    rng.shuffle(&mut epoch);
    let batch_size = batch_size.max(1);
    // One epoch, or `batches` batches — going round the data again if an epoch has fewer.
    let n = batches.map_or(epoch.len(), |b| b as usize * batch_size);
    let order: Vec<usize> = epoch.iter().copied().cycle().take(n).collect();
    let loss_fn = CrossEntropyLossConfig::new().init(&net.device);
    let weights: Vec<(usize, Tensor<1>)> = params::read(&net.model)
        .into_iter()
        .enumerate()
        .filter(|(p, _)| net.is_masked(*p))
        .map(|(_, (info, w))| (info.len(), w.inner()))
        .collect();
    let mut sums: Vec<Option<Tensor<1>>> = vec![None; weights.len()];
    let mut seen = 0usize;
    for item in data.batches(order, batch_size, rng.next_u64(), &net.device) {
        let (_, x, y) = item?;
        let logits = net.model.forward(x, &mut Probe::disabled());
        let grads = loss_fn.forward(logits, y).backward();
        let kernels = params::grads(&net.model, &grads)
            .into_iter()
            .enumerate()
            .filter(|(p, _)| net.is_masked(*p))
            .map(|(_, kernel)| kernel);
        for ((sum, (_, w)), (_, g)) in sums.iter_mut().zip(&weights).zip(kernels) {
            let term = g.map(|g| match form {
                Taylor::Sum => g,
                Taylor::BatchAbs => (w.clone() * g).abs(),
                Taylor::BatchSq => {
                    let t = w.clone() * g;
                    t.clone() * t
                }
            });
            *sum = add(sum.take(), term);
        }
        seen += 1;
    }
    let device = net.device.clone().inner();
    let flats: Vec<Tensor<1>> = weights
        .into_iter()
        .zip(sums)
        .map(|((len, w), g)| match (g, form) {
            (Some(g), Taylor::Sum) => (w * g).abs(),
            (Some(g), _) => g.div_scalar(seen.max(1) as f64),
            (None, _) => Tensor::zeros([len], &device),
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

#[cfg(test)]
mod tests {
    use prunelab_core::Experiment;
    use prunelab_data::Dataset;
    use prunelab_models::InputShape;

    use super::*;

    fn scores(batches: u32, form: Taylor) -> Vec<f32> {
        let device = Device::flex().autodiff();
        let (exp, _) = Experiment::from_hash("model=lenet300&seed=4", &[]);
        let net = NetState::new(&exp, InputShape([1, 28, 28]), 10, &device);
        let mut rng = Rng::new(5, 1);
        let images = Dataset {
            images: (0..64 * 784).map(|_| rng.below(256) as u8).collect(),
            labels: (0..64).map(|i| i % 10).collect(),
            shape: [1, 28, 28],
            classes: 10,
        };
        let data = Images::memory(images);
        let mut order = Rng::new(1, 2);
        let run = gradient_scores(&net, &data, Some(batches), 16, form, &mut order);
        futures::executor::block_on(run).expect("scores").concat()
    }

    /// One batch: every form is |θ·g| (squared for batch-sq). Four batches: the sum's |θ·Σg| is
    /// at most the batches' Σ|θ·g| = 4 · mean|θ·g| (the cancellation `batch-abs` avoids).
    #[test]
    fn the_taylor_forms_agree_on_one_batch_and_differ_as_the_math_says() {
        let (sum, abs, sq) = (
            scores(1, Taylor::Sum),
            scores(1, Taylor::BatchAbs),
            scores(1, Taylor::BatchSq),
        );
        for ((s, a), q) in sum.iter().zip(&abs).zip(&sq) {
            assert!((s - a).abs() <= 1e-6 * s.abs().max(1e-3), "{s} vs {a}");
            assert!((a * a - q).abs() <= 1e-5 * q.abs().max(1e-9), "{a}² vs {q}");
        }
        let (sum, abs) = (scores(4, Taylor::Sum), scores(4, Taylor::BatchAbs));
        assert!(
            sum.iter()
                .zip(&abs)
                .all(|(s, a)| *s <= 4.0 * a * (1.0 + 1e-5) + 1e-9)
        );
        assert!(
            sum.iter().zip(&abs).any(|(s, a)| *s < 3.0 * a),
            "no cancellation over four batches at all?"
        );
    }
}
