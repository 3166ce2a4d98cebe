//! Hand-written WGSL kernels from `shaders/`, for where burn's kernels cost a pass per operation
//! and one fused pass does the same work:
//! - [`sgd_masked`]: the masked SGD-momentum update (PyTorch semantics) in one pass instead of
//!   five element-wise kernels;
//! - [`count_dead`] / [`relu_count`]: dead-unit counting per channel (AP paper's DNR,
//!   activation-density paper's AE) on u32 atomics, instead of compare → cast → reduce.
//!
//! On burn's LibTorch backend (cargo feature `tch`), [`conv2d`], [`batch_norm_train`] and [`relu`] run
//! libtorch's own forward and backward kernels instead of burn's generic fallbacks (`torch`).
//!
//! Each kernel has a plain-Rust twin in [`twin`] that the tests compare it with. The launchers
//! run the kernels on burn tensors that live on the wgpu runtime (natively and in the browser,
//! the same WGSL), and the twins themselves on flex (CPU) tensors' memory; elsewhere they return
//! `None` and the caller uses burn's operations.
//! [`set_enabled`] switches them off process-wide, for before/after benchmarks.

pub mod bench;
mod cpu;
mod launch;
#[cfg(feature = "tch")]
mod torch;
pub mod twin;

use std::sync::atomic::{AtomicBool, Ordering};

use burn::prelude::*;
use burn::tensor::ops::ConvOptions;

pub use launch::{launches, relu_count};

/// The WGSL source of the masked SGD update (`shaders/sgd_masked.wgsl`).
pub const SGD_MASKED_WGSL: &str = include_str!("../../../shaders/sgd_masked.wgsl");
/// The WGSL source of ReLU + dead counting (`shaders/relu_count.wgsl`).
pub const RELU_COUNT_WGSL: &str = include_str!("../../../shaders/relu_count.wgsl");

/// Invocations per workgroup in every kernel here (`@workgroup_size(256)`).
pub const WORKGROUP: u32 = 256;

/// The masked SGD update (θ', v) of flat tensors of one length: `shaders/sgd_masked.wgsl` on
/// wgpu, its twin on flex. `None` when the kernels are off or a tensor is on neither (or not a
/// contiguous f32 tensor): the caller then uses burn's operations.
pub fn sgd_masked(
    theta: &Tensor<1>,
    grad: &Tensor<1>,
    velocity: Option<&Tensor<1>>,
    mask: Option<&Tensor<1>>,
    p: SgdParams,
) -> Option<(Tensor<1>, Tensor<1>)> {
    launch::sgd_masked(theta, grad, velocity, mask, p)
        .or_else(|| cpu::sgd_masked(theta, grad, velocity, mask, p))
}

/// Elements equal to 0 per channel `dim` of `x`, summed over every other dimension (`[channels]`,
/// Int): `count_zeros` of `shaders/relu_count.wgsl` on wgpu, its twin on flex, one libtorch
/// compare + reduction on tch. `None` as for
/// [`sgd_masked`].
pub fn count_dead<const D: usize>(x: &Tensor<D>, dim: usize) -> Option<Tensor<1, Int>> {
    #[cfg(feature = "tch")]
    if enabled()
        && let Some(counts) = torch::count_dead(x, dim)
    {
        return Some(counts);
    }
    launch::count_dead(x, dim).or_else(|| cpu::count_dead(x, dim))
}

/// 2-D convolution through libtorch's own forward and backward kernels, for tensors on the
/// LibTorch autodiff backend (feature `tch`); `None` elsewhere: the caller uses burn's.
pub fn conv2d(
    x: &Tensor<4>,
    weight: &Tensor<4>,
    bias: Option<&Tensor<1>>,
    options: &ConvOptions<2>,
) -> Option<Tensor<4>> {
    #[cfg(feature = "tch")]
    return torch::conv2d(x, weight, bias, options);
    #[cfg(not(feature = "tch"))]
    {
        let _ = (x, weight, bias, options);
        None
    }
}

/// ReLU through libtorch's `relu` and `threshold_backward` (PyTorch's pair), for tensors on the
/// LibTorch autodiff backend (feature `tch`); `None` elsewhere: the caller uses burn's.
pub fn relu<const D: usize>(x: &Tensor<D>) -> Option<Tensor<D>> {
    #[cfg(feature = "tch")]
    return torch::relu(x);
    #[cfg(not(feature = "tch"))]
    {
        let _ = x;
        None
    }
}

/// Training-mode batch norm through libtorch's `native_batch_norm` forward and backward, for
/// tensors on the LibTorch autodiff backend (feature `tch`): (output, batch mean, biased batch
/// variance), as burn's `batch_norm_train`. `None` elsewhere: the caller uses burn's.
pub fn batch_norm_train<const D: usize>(
    x: &Tensor<D>,
    gamma: &Tensor<1>,
    beta: &Tensor<1>,
    epsilon: f64,
) -> Option<(Tensor<D>, Tensor<1>, Tensor<1>)> {
    #[cfg(feature = "tch")]
    return torch::batch_norm_train(x, gamma, beta, epsilon);
    #[cfg(not(feature = "tch"))]
    {
        let _ = (x, gamma, beta, epsilon);
        None
    }
}

/// The arithmetic of convolutions on the LibTorch backend (`precision`): f32, or bf16 / f16 with
/// f32 master weights (casts inside libtorch's graph; f16 with a static loss scale). Masks, the
/// optimiser, batch norm, linear layers and AP selection stay f32 on every setting.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Precision {
    #[default]
    F32,
    Bf16,
    F16,
}

impl std::str::FromStr for Precision {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "f32" => Ok(Self::F32),
            "bf16" => Ok(Self::Bf16),
            "f16" => Ok(Self::F16),
            other => Err(format!(
                "unknown precision `{other}` (expected f32, bf16 or f16)"
            )),
        }
    }
}

impl std::fmt::Display for Precision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::F32 => "f32",
            Self::Bf16 => "bf16",
            Self::F16 => "f16",
        })
    }
}

static PRECISION: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(0);

/// Set the [`Precision`] of LibTorch convolutions, process-wide (the CLI sets it per command).
pub fn set_precision(p: Precision) {
    PRECISION.store(p as u8, Ordering::Relaxed);
}

/// The [`Precision`] in force (f32 unless [`set_precision`] said otherwise).
pub fn precision() -> Precision {
    match PRECISION.load(Ordering::Relaxed) {
        1 => Precision::Bf16,
        2 => Precision::F16,
        _ => Precision::F32,
    }
}

static ENABLED: AtomicBool = AtomicBool::new(true);

/// Use the kernels where they apply (the default), or burn's operations everywhere.
pub fn set_enabled(on: bool) {
    ENABLED.store(on, Ordering::Relaxed);
}

/// Whether the kernels are in use (see [`set_enabled`]).
pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// Workgroup counts (x, y) covering `n` invocations at [`WORKGROUP`] each: x ≤ 65535 (WebGPU's
/// per-dimension limit), y as many rows as needed; the kernels index `x + y·groups.x`.
pub fn groups(n: usize) -> (u32, u32) {
    let total = n.div_ceil(WORKGROUP as usize).max(1);
    let x = total.min(65_535);
    (x as u32, total.div_ceil(x) as u32)
}

/// SGD hyper-parameters of one update (PyTorch's: dampening 0, no Nesterov).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SgdParams {
    pub lr: f32,
    pub momentum: f32,
    pub weight_decay: f32,
}

/// Names of the wgpu adapters this machine offers natively (name, backend, driver), for
/// benchmark reports; empty when there is none.
#[cfg(not(target_arch = "wasm32"))]
pub fn adapter_names() -> Vec<String> {
    use burn_cubecl::cubecl::wgpu::wgpu;
    let instance = wgpu::Instance::default();
    let adapters = futures::executor::block_on(instance.enumerate_adapters(wgpu::Backends::all()));
    adapters
        .iter()
        .map(|a| {
            let i = a.get_info();
            format!(
                "{} ({:?}, {} {})",
                i.name, i.backend, i.driver, i.driver_info
            )
            .trim()
            .to_string()
        })
        .collect()
}
