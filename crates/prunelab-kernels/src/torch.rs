//! The heavy training ops on burn's LibTorch backend through libtorch's own kernels, the ones a
//! PyTorch training step runs. burn-tch 0.22.1 implements conv2d's forward but not its backward
//! (burn's generic fallback computes the weight gradient as a forward conv with batch and
//! channels swapped), and batch norm not at all (generic tensor ops). Each op here is one burn
//! autodiff node: its forward is libtorch's (`conv2d`, `native_batch_norm`), its backward calls
//! libtorch's `convolution_backward` / `native_batch_norm_backward` directly — tch does not bind
//! them, so `csrc/backward.cpp` does (oneDNN on the CPU, cuDNN on CUDA, as in PyTorch's step).
//! ReLU's backward is libtorch's `threshold_backward` (one pass), where burn's generic one is a
//! compare and a `masked_fill`.
//!
//! burn 0.22 marks its LibTorch backend deprecated (in favour of CubeCL backends, which cannot be
//! built here for CUDA); it is the only backend with PyTorch's kernels, hence the `allow`.
#![allow(deprecated)]

use std::ffi::{CStr, c_char, c_int};

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::NoCheckpointing;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::libtorch::TchTensor;
use burn::backend::{Autodiff, LibTorch};
use burn::prelude::*;
use burn::tensor::ops::ConvOptions;
use torch_sys::C_tensor;

use crate::{Precision, enabled};

/// The static loss scale of f16 convolutions: gradients below f16's smallest normal (6·10⁻⁵)
/// survive the half-precision backward; 2¹⁰ leaves room below f16's maximum (65 504).
const F16_LOSS_SCALE: f64 = 1024.0;

/// A float tensor primitive of the LibTorch autodiff backend.
type Tracked = burn::backend::tensor::FloatTensor<Autodiff<LibTorch>>;

unsafe extern "C" {
    fn prunelab_free(message: *mut c_char);
    fn prunelab_conv2d_backward(
        grad: *const C_tensor,
        x: *const C_tensor,
        w: *const C_tensor,
        bias: c_int,
        stride: *const i64,
        padding: *const i64,
        dilation: *const i64,
        groups: i64,
        need_x: c_int,
        need_w: c_int,
        out: *mut *mut C_tensor,
    ) -> *mut c_char;
    fn prunelab_batch_norm_backward(
        grad: *const C_tensor,
        x: *const C_tensor,
        gamma: *const C_tensor,
        save_mean: *const C_tensor,
        save_invstd: *const C_tensor,
        eps: f64,
        out: *mut *mut C_tensor,
    ) -> *mut c_char;
}

/// Take the three result handles of a `csrc/backward.cpp` call (`None` where it made none), or
/// panic with libtorch's message: shapes come from a forward libtorch accepted, so a failure here
/// is a bug, like a failing op in tch.
fn results(what: &str, message: *mut c_char, out: [*mut C_tensor; 3]) -> [Option<tch::Tensor>; 3] {
    if !message.is_null() {
        // SAFETY: a NUL-terminated string from strdup, freed once, here.
        let text = unsafe { CStr::from_ptr(message) }
            .to_string_lossy()
            .into_owned();
        unsafe { prunelab_free(message) };
        panic!("libtorch {what} backward failed: {text}");
    }
    // SAFETY: each non-null handle is a new `at::Tensor` that nothing else owns.
    out.map(|p| (!p.is_null()).then(|| unsafe { tch::Tensor::from_ptr(p) }))
}

/// What a node's backward needs. The inputs are burn's own handles: holding them makes burn see
/// their storage as shared, so it never overwrites them in place before the backward.
#[derive(Clone, Debug)]
enum Saved {
    Conv {
        x: TchTensor,
        w: TchTensor,
        bias: bool,
        /// stride, padding, dilation
        geometry: [[i64; 2]; 3],
        groups: i64,
        /// bf16 / f16: the forward's arithmetic, and the loss scale of its backward.
        half: Option<(tch::Kind, f64)>,
    },
    Norm {
        x: TchTensor,
        gamma: TchTensor,
        mean: TchTensor,
        invstd: TchTensor,
        epsilon: f64,
    },
    Relu {
        out: TchTensor,
    },
}

#[derive(Debug)]
struct TorchBackward;

impl<const N: usize> Backward<LibTorch, N> for TorchBackward {
    type State = Saved;

    fn backward(self, ops: Ops<Saved, N>, grads: &mut Gradients, _: &mut Checkpointer) {
        let grad = grads.consume::<LibTorch>(&ops.node);
        let need = |i: usize| ops.parents.get(i).is_some_and(Option::is_some);
        let mut out = [std::ptr::null_mut(); 3];
        let computed = match &ops.state {
            Saved::Conv {
                x,
                w,
                bias,
                geometry: [stride, padding, dilation],
                groups,
                half,
            } => {
                let cast =
                    |t: &tch::Tensor| half.map_or_else(|| t.shallow_clone(), |(k, _)| t.to_kind(k));
                let g = match half {
                    Some((k, scale)) => (&grad.tensor * *scale).to_kind(*k),
                    None => grad.tensor.shallow_clone(),
                };
                let (xh, wh) = (cast(&x.tensor), cast(&w.tensor));
                // SAFETY: valid tensor handles for the call; results owned by `results`.
                let message = unsafe {
                    prunelab_conv2d_backward(
                        g.as_ptr(),
                        xh.as_ptr(),
                        wh.as_ptr(),
                        c_int::from(*bias),
                        stride.as_ptr(),
                        padding.as_ptr(),
                        dilation.as_ptr(),
                        *groups,
                        c_int::from(need(0)),
                        c_int::from(need(1)),
                        out.as_mut_ptr(),
                    )
                };
                let unscale = |t: tch::Tensor| match half {
                    Some((_, scale)) => t.to_kind(tch::Kind::Float) / *scale,
                    None => t,
                };
                results("conv2d", message, out).map(|t| t.map(unscale))
            }
            Saved::Norm {
                x,
                gamma,
                mean,
                invstd,
                epsilon,
            } => {
                // SAFETY: as above.
                let message = unsafe {
                    prunelab_batch_norm_backward(
                        grad.tensor.as_ptr(),
                        x.tensor.as_ptr(),
                        gamma.tensor.as_ptr(),
                        mean.tensor.as_ptr(),
                        invstd.tensor.as_ptr(),
                        *epsilon,
                        out.as_mut_ptr(),
                    )
                };
                results("batch norm", message, out)
            }
            Saved::Relu { out } => [
                Some(out.tensor.threshold_backward(&grad.tensor, 0.0)),
                None,
                None,
            ],
        };
        for (parent, g) in ops.parents.into_iter().zip(computed) {
            if let (Some(node), Some(g)) = (parent, g) {
                grads.register::<LibTorch>(node.id, TchTensor::new(g));
            }
        }
    }
}

/// The LibTorch autodiff primitive behind a float tensor, or `None` (another backend).
fn tracked<const D: usize>(t: &Tensor<D>) -> Option<Tracked> {
    t.clone().try_into_primitive::<Autodiff<LibTorch>>().ok()
}

/// burn's tracked output of a node over `inputs` computing `output`, keeping `saved` for the
/// backward when any input needs a gradient.
fn node<const N: usize>(
    inputs: &[Tracked; N],
    output: TchTensor,
    saved: impl FnOnce() -> Saved,
) -> Tracked {
    let nodes = inputs.each_ref().map(Tracked::node);
    match TorchBackward
        .prepare::<NoCheckpointing>(nodes)
        .compute_bound()
        .stateful()
    {
        OpsKind::Tracked(prep) => prep.finish(saved(), output),
        OpsKind::UnTracked(prep) => prep.finish(output),
    }
}

/// A constant (untracked) tensor on the autodiff device.
fn constant<const D: usize>(t: TchTensor) -> Tensor<D> {
    Tensor::from_inner(Tensor::from_primitive::<LibTorch>(t))
}

/// 2-D convolution of LibTorch autodiff tensors with libtorch's forward and backward kernels —
/// in bf16 or f16 when [`crate::precision`] says so (inputs cast to it, the output and the
/// gradients cast back to f32, so the weights and everything around the conv stay f32);
/// `None` for tensors on another backend, asymmetric padding, or with the kernels switched off.
pub fn conv2d(
    x: &Tensor<4>,
    weight: &Tensor<4>,
    bias: Option<&Tensor<1>>,
    options: &ConvOptions<2>,
) -> Option<Tensor<4>> {
    if !enabled() || options.padding.iter().any(|(begin, end)| begin != end) {
        return None;
    }
    let int = |v: [usize; 2]| v.map(|i| i as i64);
    let geometry = [
        int(options.stride),
        int(options.padding_begin()),
        int(options.dilation),
    ];
    let groups = options.groups as i64;
    let half = match crate::precision() {
        Precision::F32 => None,
        Precision::Bf16 => Some((tch::Kind::BFloat16, 1.0)),
        Precision::F16 => Some((tch::Kind::Half, F16_LOSS_SCALE)),
    };
    let cast = |t: &tch::Tensor| half.map_or_else(|| t.shallow_clone(), |(k, _)| t.to_kind(k));
    let (x, w) = (tracked(x)?, tracked(weight)?);
    let b = bias.map(tracked);
    if b.as_ref().is_some_and(Option::is_none) {
        return None;
    }
    let b = b.flatten();
    let [stride, padding, dilation] = geometry;
    let mut out = cast(&x.primitive().tensor).conv2d(
        &cast(&w.primitive().tensor),
        b.as_ref().map(|b| cast(&b.primitive().tensor)),
        stride,
        padding,
        dilation,
        groups,
    );
    if half.is_some() {
        out = out.to_kind(tch::Kind::Float);
    }
    let has_bias = b.is_some();
    let saved = || Saved::Conv {
        x: x.primitive().clone(),
        w: w.primitive().clone(),
        bias: has_bias,
        geometry,
        groups,
        half,
    };
    let out = TchTensor::new(out);
    let out = match b {
        Some(b) => node(&[x.clone(), w.clone(), b], out, saved),
        None => node(&[x.clone(), w.clone()], out, saved),
    };
    Some(Tensor::from_primitive::<Autodiff<LibTorch>>(out))
}

/// Batch norm in training mode (statistics of the batch) with libtorch's `native_batch_norm`
/// forward and `native_batch_norm_backward`: (output, batch mean, biased batch variance), as
/// burn's `batch_norm_train` returns them for the running statistics. `None` as for [`conv2d`].
pub fn batch_norm_train<const D: usize>(
    x: &Tensor<D>,
    gamma: &Tensor<1>,
    beta: &Tensor<1>,
    epsilon: f64,
) -> Option<(Tensor<D>, Tensor<1>, Tensor<1>)> {
    if !enabled() {
        return None;
    }
    let inputs = [tracked(x)?, tracked(gamma)?, tracked(beta)?];
    let [xt, g, b] = inputs.each_ref().map(|t| &t.primitive().tensor);
    let (out, mean, invstd) = xt.native_batch_norm(
        Some(g),
        Some(b),
        None::<&tch::Tensor>,
        None,
        true,
        0.0,
        epsilon,
    );
    // invstd = 1/√(σ² + ε), σ² the biased variance.
    let variance = invstd.pow_tensor_scalar(-2) - epsilon;
    let (mean, invstd) = (TchTensor::new(mean), TchTensor::new(invstd));
    let saved = || Saved::Norm {
        x: inputs[0].primitive().clone(),
        gamma: inputs[1].primitive().clone(),
        mean: mean.clone(),
        invstd,
        epsilon,
    };
    let out = node(&inputs, TchTensor::new(out), saved);
    Some((
        Tensor::from_primitive::<Autodiff<LibTorch>>(out),
        constant(mean),
        constant(TchTensor::new(variance)),
    ))
}

/// ReLU of a LibTorch autodiff tensor: libtorch's `relu` forward and `threshold_backward`
/// (PyTorch's ReLU backward). `None` as for [`conv2d`].
pub fn relu<const D: usize>(x: &Tensor<D>) -> Option<Tensor<D>> {
    if !enabled() {
        return None;
    }
    let inputs = [tracked(x)?];
    let out = TchTensor::new(inputs[0].primitive().tensor.relu());
    // The saved handle shares the output's storage count, so burn never overwrites it in place.
    let saved = || Saved::Relu { out: out.clone() };
    let out = node(&inputs, out.clone(), saved);
    Some(Tensor::from_primitive::<Autodiff<LibTorch>>(out))
}

/// Elements equal to 0 per channel `dim` of a LibTorch tensor, summed over every other dimension
/// (`[channels]`, Int). libtorch's compare into a bool tensor and the integer sum of that (a cast
/// to i64 first) cost eight times what the compare written as f32 (`x ≠ 0`: 1 for any non-zero,
/// NaN included, 0 for ±0) and its float channel sum cost; that sum counts the live elements
/// exactly while a channel holds fewer than 2²⁴ (f32's integers), beyond which the integer path
/// runs. `None` for another backend.
pub fn count_dead<const D: usize>(x: &Tensor<D>, dim: usize) -> Option<Tensor<1, Int>> {
    let t = x.clone().inner().try_into_primitive::<LibTorch>().ok()?;
    let others: Vec<i64> = (0..D as i64).filter(|&d| d != dim as i64).collect();
    let dims = x.dims();
    let per_channel = dims.iter().product::<usize>() / dims[dim].max(1);
    let dead = if per_channel < 1 << 24 {
        let live = tch::Tensor::empty(t.tensor.size(), (tch::Kind::Float, t.tensor.device()));
        let live = t.tensor.ne_scalar_out(&live, 0.0).sum_dim_intlist(
            others.as_slice(),
            false,
            tch::Kind::Float,
        );
        (live.neg() + per_channel as f64).to_kind(tch::Kind::Int64)
    } else {
        t.tensor
            .eq(0.0)
            .sum_dim_intlist(others.as_slice(), false, tch::Kind::Int64)
    };
    Some(Tensor::from_primitive::<LibTorch>(TchTensor::new(dead)))
}
