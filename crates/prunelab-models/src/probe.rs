//! Zero counting — and optionally an activation-density penalty — at every ReLU, on the device.

use burn::prelude::*;
use burn::tensor::activation::relu;
use prunelab_core::state::ActReg;

/// Collects, for each ReLU in forward order, the number of exact zeros per channel summed over
/// the batch and all positions (`[channels]`, Int, still on the device). A disabled probe is a
/// plain ReLU, so the counting cost can be measured.
///
/// With a regulariser it also sums, over the ReLU layers, the activation-sparsity term of the AP
/// paper's baselines (§5, Tables 14–15) on the post-ReLU output a (n elements per layer):
/// - `l1`: mean |a| (Georgiadis 2019);
/// - `hoyer`: the Hoyer-square measure (Σ|a|)² / (n·Σa²) ∈ [1/n, 1] (Kurtz et al. 2020), which is
///   1 for a fully dense layer.
///
/// Both grow as activations get denser; the training loss *subtracts* `weight ×` their sum, the
/// opposite sign of their usual use, to decrease activation sparsity as the AP paper describes.
#[derive(Debug, Default)]
pub struct Probe {
    enabled: bool,
    reg: Option<ActReg>,
    pub zeros: Vec<Tensor<1, Int>>,
    /// Σ over ReLU layers of the regulariser term (`[1]`, differentiable), when one is set.
    pub density: Option<Tensor<1>>,
}

impl Probe {
    pub fn counting() -> Self {
        Self { enabled: true, ..Self::default() }
    }

    pub fn disabled() -> Self {
        Self::default()
    }

    /// Also accumulate the activation-density term `reg` (none: nothing).
    pub fn with_density(mut self, reg: ActReg) -> Self {
        self.reg = (reg != ActReg::None).then_some(reg);
        self
    }

    /// ReLU whose zero outputs are counted per channel (dim 1): a unit is dead on a sample when
    /// its post-ReLU output is exactly 0.
    pub fn relu<const D: usize>(&mut self, x: Tensor<D>) -> Tensor<D> {
        let y = relu(x);
        if self.enabled {
            let dims: Vec<usize> = std::iter::once(0).chain(2..D).collect();
            let dead = y.clone().equal_elem(0.0).int().sum_dims_squeeze::<1, usize>(&dims);
            self.zeros.push(dead);
        }
        if let Some(reg) = self.reg {
            let n = y.dims().iter().product::<usize>().max(1) as f64;
            let flat: Tensor<1> = y.clone().reshape([-1]);
            let term = match reg {
                ActReg::L1 => flat.mean(),
                ActReg::Hoyer => flat.clone().sum().powi_scalar(2) / (flat.powi_scalar(2).sum() * n + 1e-12),
                ActReg::None => return y,
            };
            self.density = Some(match self.density.take() {
                Some(d) => d + term,
                None => term,
            });
        }
        y
    }
}
