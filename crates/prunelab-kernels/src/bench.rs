//! Standalone before/after of each kernel against the burn tensor operations it replaces, on the
//! same device and data: the figures behind `prunelab bench-kernels`. `now` is the caller's clock;
//! each figure is the time per call over `calls` calls after one warm-up call, the device drained
//! by one read at the end. Caution: on llvmpipe, short chains of these launches have timed below
//! what their memory traffic allows (not understood yet), so `cargo xtask bench` leaves these
//! figures out and compares whole training steps instead.

use std::time::Duration;

use burn::prelude::*;

use crate::{SgdParams, count_dead, sgd_masked};

/// One kernel's time per call, and its burn-operations equivalent's.
#[derive(Clone, Copy, Debug)]
pub struct Pair {
    pub kernel: Duration,
    pub burn: Duration,
}

/// The masked SGD update of a flat tensor of `n` weights (velocity and mask present).
pub async fn sgd(
    device: &Device,
    n: usize,
    calls: usize,
    now: impl Fn() -> Duration,
) -> Result<Pair, String> {
    let p = SgdParams {
        lr: 0.1,
        momentum: 0.9,
        weight_decay: 5e-4,
    };
    let dist = burn::tensor::Distribution::Normal(0.0, 1.0);
    let (w, g, v) = (
        Tensor::<1>::random([n], dist, device),
        Tensor::<1>::random([n], dist, device),
        Tensor::<1>::random([n], dist, device),
    );
    let mask = Tensor::<1>::random([n], burn::tensor::Distribution::Bernoulli(0.5), device);
    let fused = |w: &Tensor<1>, v: &Tensor<1>| sgd_masked(w, &g, Some(v), Some(&mask), p);
    let plain = |w: &Tensor<1>, v: &Tensor<1>| {
        let grad = g.clone() + w.clone() * f64::from(p.weight_decay);
        let v = v.clone() * f64::from(p.momentum) + grad;
        ((w.clone() - v.clone() * f64::from(p.lr)) * mask.clone(), v)
    };
    let kernel = time(
        calls,
        &now,
        (w.clone(), v.clone()),
        |(w, v)| fused(&w, &v).unwrap_or_else(|| plain(&w, &v)),
        |(w, _)| w.sum(),
    )
    .await?;
    let burn = time(
        calls,
        &now,
        (w, v),
        |(w, v)| plain(&w, &v),
        |(w, _)| w.sum(),
    )
    .await?;
    Ok(Pair { kernel, burn })
}

/// Dead counting per channel of a post-ReLU activation `[batch, channels, h, w]`.
pub async fn count(
    device: &Device,
    shape: [usize; 4],
    calls: usize,
    now: impl Fn() -> Duration,
) -> Result<Pair, String> {
    let y = burn::tensor::activation::relu(Tensor::<4>::random(
        shape,
        burn::tensor::Distribution::Normal(0.0, 1.0),
        device,
    ));
    let plain = |y: &Tensor<4>| {
        y.clone()
            .equal_elem(0.0)
            .int()
            .sum_dims_squeeze::<1, usize>(&[0, 2, 3])
    };
    let total = |c: Tensor<1, Int>| c.sum().float();
    let kernel = time(
        calls,
        &now,
        Tensor::<1, Int>::zeros([shape[1]], device),
        |acc| acc + count_dead(&y, 1).unwrap_or_else(|| plain(&y)),
        total,
    )
    .await?;
    let burn = time(
        calls,
        &now,
        Tensor::<1, Int>::zeros([shape[1]], device),
        |acc| acc + plain(&y),
        total,
    )
    .await?;
    Ok(Pair { kernel, burn })
}

/// Time per call of `step` chained `calls` times from `state` after one warm-up call; `read`
/// reduces the final state to one value that is read back (draining the device).
/// A failed read (a kernel that did not run) is an error, not a short time.
async fn time<S: Clone>(
    calls: usize,
    now: &impl Fn() -> Duration,
    state: S,
    step: impl Fn(S) -> S,
    read: impl Fn(S) -> Tensor<1>,
) -> Result<Duration, String> {
    let warm = step(state.clone());
    read(warm)
        .into_data_async()
        .await
        .map_err(|e| format!("{e:?}"))?;
    let start = now();
    let mut s = state;
    for _ in 0..calls.max(1) {
        s = step(s);
    }
    read(s)
        .into_data_async()
        .await
        .map_err(|e| format!("{e:?}"))?;
    Ok((now() - start) / calls.max(1) as u32)
}
