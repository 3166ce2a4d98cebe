//! The same two operations on burn's flex (CPU) tensors, done by the plain-Rust twins on the
//! tensors' own memory: one pass each instead of burn's chain of element-wise kernels (compare →
//! cast → sum for the counts; five kernels for the update), which on the CPU costs more than the
//! ReLUs it counts. Used natively and in the browser's CPU path.

use burn::backend::Flex;
use burn::backend::flex::FlexTensor;
use burn::prelude::*;
use burn::tensor::{DType, TensorData};

use crate::{SgdParams, enabled, twin};

/// The flex primitive behind an f32 tensor, or `None` (another backend or type).
fn flex<const D: usize>(t: &Tensor<D>) -> Option<FlexTensor> {
    let p = t.clone().inner().try_into_primitive::<Flex>().ok()?;
    (p.dtype() == DType::F32).then_some(p)
}

fn slice(t: &FlexTensor) -> Option<&[f32]> {
    t.as_slice::<f32>()
}

/// [`crate::sgd_masked`] on flex tensors (contiguous ones: others give `None`).
pub fn sgd_masked(
    theta: &Tensor<1>,
    grad: &Tensor<1>,
    velocity: Option<&Tensor<1>>,
    mask: Option<&Tensor<1>>,
    p: SgdParams,
) -> Option<(Tensor<1>, Tensor<1>)> {
    if !enabled() {
        return None;
    }
    let optional = |t: Option<&Tensor<1>>| t.map_or(Some(None), |t| flex(t).map(Some));
    let (w, g, v, m) = (
        flex(theta)?,
        flex(grad)?,
        optional(velocity)?,
        optional(mask)?,
    );
    let v = match &v {
        Some(v) => Some(slice(v)?),
        None => None,
    };
    let m = match &m {
        Some(m) => Some(slice(m)?),
        None => None,
    };
    let (next, v) = twin::sgd_masked(slice(&w)?, slice(&g)?, v, m, p);
    let device = theta.device();
    let n = next.len();
    Some((
        Tensor::from_data(TensorData::new(next, [n]), &device),
        Tensor::from_data(TensorData::new(v, [n]), &device),
    ))
}

/// [`crate::count_dead`] on a flex tensor.
pub fn count_dead<const D: usize>(x: &Tensor<D>, dim: usize) -> Option<Tensor<1, Int>> {
    if !enabled() {
        return None;
    }
    let dims = x.dims();
    let (channels, inner) = (dims[dim], dims[dim + 1..].iter().product::<usize>());
    let dead = twin::count_zeros(flex(x)?.as_slice::<f32>()?, channels, inner);
    let dead: Vec<i64> = dead.into_iter().map(i64::from).collect();
    Some(Tensor::from_data(
        TensorData::new(dead, [channels]),
        &x.clone().inner().device(),
    ))
}
