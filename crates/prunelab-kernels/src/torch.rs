//! The heavy training ops on burn's LibTorch backend through libtorch's own kernels, the ones a
//! PyTorch training step runs. burn-tch 0.22.1 implements conv2d's forward but not its backward
//! (burn's generic fallback computes the weight gradient as a forward conv with batch and
//! channels swapped), and batch norm not at all (generic tensor ops). tch does not bind
//! `convolution_backward` or `native_batch_norm_backward`, so each op here runs its forward under
//! libtorch's autograd and keeps that small graph in the burn autodiff node: burn's backward
//! hands the output gradient to libtorch's autograd, which calls exactly those kernels (oneDNN on
//! the CPU, cuDNN on CUDA), as PyTorch's own training step does.
//!
//! burn 0.22 marks its LibTorch backend deprecated (in favour of CubeCL backends, which cannot be
//! built here for CUDA); it is the only backend with PyTorch's kernels, hence the `allow`.
#![allow(deprecated)]

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::NoCheckpointing;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::libtorch::TchTensor;
use burn::backend::{Autodiff, LibTorch};
use burn::prelude::*;
use burn::tensor::ops::ConvOptions;

use crate::{Precision, enabled};

/// The static loss scale of f16 convolutions: gradients below f16's smallest normal (6·10⁻⁵)
/// survive the half-precision backward; 2¹⁰ leaves room below f16's maximum (65 504).
const F16_LOSS_SCALE: f64 = 1024.0;

/// A float tensor primitive of the LibTorch autodiff backend.
type Tracked = burn::backend::tensor::FloatTensor<Autodiff<LibTorch>>;

/// A forward call's libtorch autograd graph: the leaves it differentiates to (one per burn
/// input, in the node's parent order), its output, and burn's own handles of the inputs — held so
/// that burn sees their storage as shared and never overwrites it in place before the backward.
#[derive(Debug)]
struct Graph {
    leaves: Vec<tch::Tensor>,
    output: tch::Tensor,
    pinned: Vec<TchTensor>,
    /// The loss scale of an f16 forward (1 otherwise): the output gradient is multiplied by it
    /// before it enters the half-precision backward, the f32 leaf gradients divided by it after.
    scale: f64,
}

impl Clone for Graph {
    fn clone(&self) -> Self {
        Self {
            leaves: self.leaves.iter().map(tch::Tensor::shallow_clone).collect(),
            output: self.output.shallow_clone(),
            pinned: self.pinned.clone(),
            scale: self.scale,
        }
    }
}

/// The backward of every op here: the vector-Jacobian product of the graph's output with burn's
/// output gradient, by libtorch's autograd, for the parents that need a gradient.
#[derive(Debug)]
struct TorchBackward;

impl<const N: usize> Backward<LibTorch, N> for TorchBackward {
    type State = Graph;

    fn backward(self, ops: Ops<Graph, N>, grads: &mut Gradients, _: &mut Checkpointer) {
        let grad = grads.consume::<LibTorch>(&ops.node);
        let graph = ops.state;
        let wanted: Vec<_> = ops
            .parents
            .into_iter()
            .enumerate()
            .filter_map(|(i, p)| p.map(|p| (i, p)))
            .collect();
        let inputs: Vec<&tch::Tensor> = wanted.iter().map(|(i, _)| &graph.leaves[*i]).collect();
        // d⟨output, grad⟩/d leaf = Jᵀ·grad (tch binds no backward with an output gradient): one
        // extra pass forward (the dot) and one back (grad · upstream).
        let upstream = if graph.scale == 1.0 {
            grad.tensor.shallow_clone()
        } else {
            &grad.tensor * graph.scale
        };
        let dot = graph.output.flatten(0, -1).dot(&upstream.flatten(0, -1));
        let leaf_grads = tch::Tensor::run_backward(&[dot], &inputs, false, false);
        for ((_, node), g) in wanted.into_iter().zip(leaf_grads) {
            let g = if graph.scale == 1.0 {
                g
            } else {
                g / graph.scale
            };
            grads.register::<LibTorch>(node.id, TchTensor::new(g));
        }
    }
}

/// The LibTorch autodiff primitive behind a float tensor, or `None` (another backend).
fn tracked<const D: usize>(t: &Tensor<D>) -> Option<Tracked> {
    t.clone().try_into_primitive::<Autodiff<LibTorch>>().ok()
}

/// Run `forward` on the inputs' libtorch tensors — under libtorch's autograd when any input
/// needs a gradient (the graph goes into the burn node), plainly otherwise — and return its first
/// result as burn's tracked output, the others (statistics) as detached copies. The output itself
/// shares its storage with the graph's: no backward node here saves it, so burn may reuse it.
fn record<const N: usize>(
    inputs: [Tracked; N],
    scale: f64,
    forward: impl Fn(&[tch::Tensor; N]) -> Vec<tch::Tensor>,
) -> (Tracked, Vec<tch::Tensor>) {
    let nodes = inputs.each_ref().map(Tracked::node);
    match TorchBackward
        .prepare::<NoCheckpointing>(nodes)
        .compute_bound()
        .stateful()
    {
        OpsKind::Tracked(prep) => {
            let leaves = inputs
                .each_ref()
                .map(|t| t.primitive().tensor.detach().set_requires_grad(true));
            let mut results = forward(&leaves);
            let output = results.remove(0);
            let detached = output.detach();
            let pinned = inputs.iter().map(|t| t.primitive().clone()).collect();
            let graph = Graph {
                leaves: leaves.into_iter().collect(),
                output,
                pinned,
                scale,
            };
            // The statistics are copied: the graph saved them for the backward, and burn may
            // update its own tensors in place (libtorch would then refuse the backward).
            (
                prep.finish(graph, TchTensor::new(detached)),
                results.iter().map(tch::Tensor::detach_copy).collect(),
            )
        }
        OpsKind::UnTracked(prep) => {
            let plain = inputs
                .each_ref()
                .map(|t| t.primitive().tensor.shallow_clone());
            let mut results = forward(&plain);
            let output = results.remove(0);
            (prep.finish(TchTensor::new(output)), results)
        }
    }
}

/// A constant (untracked) tensor on the autodiff device from a libtorch result.
fn constant<const D: usize>(t: tch::Tensor) -> Tensor<D> {
    Tensor::from_inner(Tensor::from_primitive::<LibTorch>(TchTensor::new(t)))
}

/// 2-D convolution of LibTorch autodiff tensors with libtorch's forward and backward kernels —
/// in bf16 or f16 when [`crate::precision`] says so (inputs cast inside the graph, the output
/// cast back to f32, so weights, their gradients and everything around the conv stay f32);
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
    let (stride, padding, dilation, groups) = (
        int(options.stride),
        int(options.padding_begin()),
        int(options.dilation),
        options.groups as i64,
    );
    let (x, w) = (tracked(x)?, tracked(weight)?);
    let precision = crate::precision();
    let (half, scale) = match precision {
        Precision::F32 => (None, 1.0),
        Precision::Bf16 => (Some(tch::Kind::BFloat16), 1.0),
        Precision::F16 => (Some(tch::Kind::Half), F16_LOSS_SCALE),
    };
    let cast = |t: &tch::Tensor| half.map_or_else(|| t.shallow_clone(), |k| t.to_kind(k));
    let conv = |x: &tch::Tensor, w: &tch::Tensor, b: Option<&tch::Tensor>| {
        let out = cast(x).conv2d(&cast(w), b.map(cast), stride, padding, dilation, groups);
        if half.is_some() {
            out.to_kind(tch::Kind::Float)
        } else {
            out
        }
    };
    let out = match bias {
        Some(b) => {
            record([x, w, tracked(b)?], scale, |[x, w, b]| {
                vec![conv(x, w, Some(b))]
            })
            .0
        }
        None => record([x, w], scale, |[x, w]| vec![conv(x, w, None)]).0,
    };
    Some(Tensor::from_primitive::<Autodiff<LibTorch>>(out))
}

/// Batch norm in training mode (statistics of the batch) with libtorch's `native_batch_norm`
/// forward and backward: (output, batch mean, biased batch variance), as burn's
/// `batch_norm_train` returns them for the running statistics. `None` as for [`conv2d`].
pub fn batch_norm_train<const D: usize>(
    x: &Tensor<D>,
    gamma: &Tensor<1>,
    beta: &Tensor<1>,
    epsilon: f64,
) -> Option<(Tensor<D>, Tensor<1>, Tensor<1>)> {
    if !enabled() {
        return None;
    }
    let (out, stats) = record(
        [tracked(x)?, tracked(gamma)?, tracked(beta)?],
        1.0,
        |[x, g, b]| {
            let (out, mean, invstd) = x.native_batch_norm(
                Some(g),
                Some(b),
                None::<&tch::Tensor>,
                None,
                true,
                0.0,
                epsilon,
            );
            vec![out, mean, invstd]
        },
    );
    let [mean, invstd]: [tch::Tensor; 2] = stats.try_into().ok()?;
    // invstd = 1/√(σ² + ε), σ² the biased variance.
    let variance = invstd.pow_tensor_scalar(-2) - epsilon;
    Some((
        Tensor::from_primitive::<Autodiff<LibTorch>>(out),
        constant(mean),
        constant(variance),
    ))
}

/// Elements equal to 0 per channel `dim` of a LibTorch tensor, summed over every other dimension
/// (`[channels]`, Int): one compare and one reduction in libtorch, where burn's generic path
/// casts to an int tensor and reduces a dimension at a time. `None` for another backend.
pub fn count_dead<const D: usize>(x: &Tensor<D>, dim: usize) -> Option<Tensor<1, Int>> {
    let t = x.clone().inner().try_into_primitive::<LibTorch>().ok()?;
    let others: Vec<i64> = (0..D as i64).filter(|&d| d != dim as i64).collect();
    let dead = t
        .tensor
        .eq(0.0)
        .sum_dim_intlist(others.as_slice(), false, tch::Kind::Int64);
    Some(Tensor::from_primitive::<LibTorch>(TchTensor::new(dead)))
}
