//! Dead-unit counting — and optionally an activation-density penalty — at every activation, on
//! the device.
//!
//! A unit is dead on a sample when its activation outputs exactly 0: ReLU and ReLU6 (MobileNetV2)
//! units when their pre-activation is ≤ 0. GELU (ViT-B/16) is never exactly 0 for x < 0, so for it
//! prunelab counts **DNR (GELU, pre-activation ≤ 0)**: a unit — one hidden MLP feature at one token
//! position — is dead when its pre-activation is ≤ 0, where GELU(x) = x·Φ(x) scales the input by
//! at most one half (the AP paper's ViT-B/16 experiment: GELU "heavily regularizes the negative
//! pre-activation output").
//!
//! On the wgpu backend the ReLU counts are one WGSL pass on u32 atomics (`count_zeros` of
//! `shaders/relu_count.wgsl`); elsewhere, burn's compare → cast → sum.

use burn::prelude::*;
use burn::tensor::activation::{gelu, relu, relu6};
use prunelab_core::state::ActReg;

/// Collects, for each counted activation in forward order, the number of dead units per channel
/// summed over the batch and all positions (`[channels]`, Int, still on the device). A disabled
/// probe is a plain activation, so the counting cost can be measured.
///
/// With [`Probe::with_maps`] it also counts, per channel, the samples on which the channel's whole
/// feature map is dead (`dnr_unit = "channel"`; for a linear layer this equals the unit count).
///
/// With a regulariser it also sums, over the counted activation layers, the activation-sparsity
/// term of the AP paper's baselines (§5, Tables 14–15) on the activation output a (n elements per
/// layer; post-ReLU, -ReLU6 or -GELU):
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
    maps_on: bool,
    /// Per counted layer and channel: samples whose whole map was dead (with [`Probe::with_maps`]).
    pub maps: Vec<Tensor<1, Int>>,
    /// Σ over the counted activation layers of the regulariser term (`[1]`, differentiable), when
    /// one is set.
    pub density: Option<Tensor<1>>,
}

impl Probe {
    pub fn counting() -> Self {
        Self {
            enabled: true,
            ..Self::default()
        }
    }

    pub fn disabled() -> Self {
        Self::default()
    }

    /// Also count whole dead maps per channel and sample (evaluation only: it costs a reduction).
    pub fn with_maps(mut self) -> Self {
        self.maps_on = self.enabled;
        self
    }

    /// Also accumulate the activation-density term `reg` (none: nothing).
    pub fn with_density(mut self, reg: ActReg) -> Self {
        self.reg = (reg != ActReg::None).then_some(reg);
        self
    }

    /// ReLU whose zero outputs are counted per channel (dim 1): a unit is dead on a sample when
    /// its post-ReLU output is exactly 0.
    pub fn relu<const D: usize>(&mut self, x: Tensor<D>) -> Tensor<D> {
        let y = prunelab_kernels::relu(&x).unwrap_or_else(|| relu(x));
        if self.enabled {
            self.zeros.push(Self::count_zeros(&y));
        }
        self.count_maps(|| y.clone().equal_elem(0.0), 1);
        self.regularise(&y);
        y
    }

    /// ReLU6 = min(max(x, 0), 6) (MobileNetV2), counted as [`Probe::relu`]: dead at output 0.
    pub fn relu6<const D: usize>(&mut self, x: Tensor<D>) -> Tensor<D> {
        let y = relu6(x);
        if self.enabled {
            self.zeros.push(Self::count_zeros(&y));
        }
        self.count_maps(|| y.clone().equal_elem(0.0), 1);
        self.regularise(&y);
        y
    }

    /// [`Probe::relu`] over a channel concatenation whose parts come from different layers
    /// (DenseNet): the per-channel counts are pushed as one tensor per part of `widths` channels,
    /// so each part can name the kernel that produced it.
    pub fn relu_parts<const D: usize>(&mut self, x: Tensor<D>, widths: &[usize]) -> Tensor<D> {
        let y = prunelab_kernels::relu(&x).unwrap_or_else(|| relu(x));
        if self.enabled {
            let dead = Self::count_zeros(&y);
            self.zeros.extend(dead.split_with_sizes(widths.to_vec(), 0));
        }
        if self.maps_on {
            let maps = Self::maps(y.clone().equal_elem(0.0), 1);
            self.maps.extend(maps.split_with_sizes(widths.to_vec(), 0));
        }
        self.regularise(&y);
        y
    }

    /// GELU on token-major features `[batch, tokens, features]` (ViT's MLP), counting per feature
    /// (dim 2) the units whose pre-activation is ≤ 0: **DNR (GELU, pre-activation ≤ 0)**.
    pub fn gelu(&mut self, x: Tensor<3>) -> Tensor<3> {
        if self.enabled {
            self.zeros
                .push(Self::count(x.clone().lower_equal_elem(0.0), 2));
        }
        self.count_maps(|| x.clone().lower_equal_elem(0.0), 2);
        let y = gelu(x);
        self.regularise(&y);
        y
    }

    /// Zero outputs per channel (dim 1) of an activation output: the WGSL kernel where it
    /// applies, else burn's operations.
    fn count_zeros<const D: usize>(y: &Tensor<D>) -> Tensor<1, Int> {
        prunelab_kernels::count_dead(y, 1)
            .unwrap_or_else(|| Self::count(y.clone().equal_elem(0.0), 1))
    }

    /// Dead units per channel `channel`, summed over every other dimension (`[channels]`).
    fn count<const D: usize>(dead: Tensor<D, Bool>, channel: usize) -> Tensor<1, Int> {
        let dims: Vec<usize> = (0..D).filter(|&d| d != channel).collect();
        dead.int().sum_dims_squeeze::<1, usize>(&dims)
    }

    /// Push the dead-map counts of one layer, when maps are counted.
    fn count_maps<const D: usize>(
        &mut self,
        dead: impl FnOnce() -> Tensor<D, Bool>,
        channel: usize,
    ) {
        if self.maps_on {
            self.maps.push(Self::maps(dead(), channel));
        }
    }

    /// Per channel `channel`: the samples (dim 0) on which every position (the other dims) is
    /// dead (`[channels]`).
    fn maps<const D: usize>(dead: Tensor<D, Bool>, channel: usize) -> Tensor<1, Int> {
        let dims = dead.dims();
        let positions: Vec<usize> = (1..D).filter(|&d| d != channel).collect();
        let size: usize = positions.iter().map(|&d| dims[d]).product();
        let per_sample: Tensor<2, Int> = if positions.is_empty() {
            dead.int().reshape([dims[0] as i32, -1])
        } else {
            dead.int().sum_dims_squeeze::<2, usize>(&positions)
        };
        per_sample
            .equal_elem(size as i64)
            .int()
            .sum_dim(0)
            .reshape([-1])
    }

    /// Add the regulariser term of activations `y` (n elements) to `density`, if one is set.
    fn regularise<const D: usize>(&mut self, y: &Tensor<D>) {
        let Some(reg) = self.reg else { return };
        let n = y.dims().iter().product::<usize>().max(1) as f64;
        let flat: Tensor<1> = y.clone().reshape([-1]).abs();
        let term = match reg {
            ActReg::L1 => flat.mean(),
            ActReg::Hoyer => {
                flat.clone().sum().powi_scalar(2) / (flat.powi_scalar(2).sum() * n + 1e-12)
            }
            ActReg::None => return,
        };
        self.density = Some(match self.density.take() {
            Some(d) => d + term,
            None => term,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ints(t: Tensor<1, Int>) -> Vec<i64> {
        t.into_data()
            .convert::<i64>()
            .try_to_vec::<i64>()
            .expect("ints")
    }

    /// GELU units are counted per feature (last dim) where the pre-activation is ≤ 0, over batch
    /// and tokens; ReLU6 clamps and counts exact zeros per channel; parts split one count.
    #[test]
    fn gelu_relu6_and_parts() {
        let device = Device::flex();
        let mut probe = Probe::counting();
        // [batch 1, tokens 2, features 3]: feature 0 ≤ 0 twice, feature 1 once (0.0), feature 2 never
        let x = Tensor::<3>::from_data([[[-1.0, 0.0, 2.0], [-0.5, 3.0, 0.1]]], &device);
        let y = probe.gelu(x);
        assert!(
            y.into_data().try_to_vec::<f32>().expect("f32")[0] < 0.0,
            "GELU keeps small negative outputs"
        );
        let x = Tensor::<2>::from_data([[-1.0, 7.0, 0.5], [0.0, -2.0, 9.0]], &device);
        let y = probe.relu6(x);
        assert_eq!(
            y.into_data().try_to_vec::<f32>().expect("f32"),
            [0.0, 6.0, 0.5, 0.0, 0.0, 6.0]
        );
        let x = Tensor::<4>::from_data(
            [[[[-1.0]], [[1.0]], [[-2.0]]], [[[-1.0]], [[-1.0]], [[3.0]]]],
            &device,
        );
        probe.relu_parts(x, &[1, 2]);
        let zeros: Vec<Vec<i64>> = probe.zeros.into_iter().map(ints).collect();
        assert_eq!(zeros, [vec![2, 1, 0], vec![2, 1, 0], vec![2], vec![1, 1]]);
    }

    /// Whole dead maps: conv [batch 2, channels 2, 2×1] — channel 0 dead everywhere on sample 0
    /// and half on sample 1, channel 1 dead on sample 1 only; a linear layer counts units.
    #[test]
    fn whole_dead_maps_per_channel() {
        let device = Device::flex();
        let mut probe = Probe::counting().with_maps();
        let x = Tensor::<4>::from_data(
            [
                [[[-1.0], [-2.0]], [[1.0], [0.5]]],
                [[[-1.0], [2.0]], [[0.0], [-1.0]]],
            ],
            &device,
        );
        probe.relu(x);
        probe.relu(Tensor::<2>::from_data([[-1.0, 1.0], [-1.0, 0.0]], &device));
        let maps: Vec<Vec<i64>> = probe.maps.into_iter().map(ints).collect();
        assert_eq!(maps, [vec![1, 1], vec![2, 1]]);
        let zeros: Vec<Vec<i64>> = probe.zeros.into_iter().map(ints).collect();
        assert_eq!(zeros, [vec![3, 2], vec![2, 1]]);
        let mut plain = Probe::counting();
        plain.relu(Tensor::<2>::from_data([[-1.0, 1.0]], &device));
        assert!(plain.maps.is_empty(), "maps only when asked");
    }

    #[test]
    fn l1_term_uses_absolute_gelu_outputs() {
        let device = Device::flex();
        let mut probe = Probe::disabled().with_density(ActReg::L1);
        let x = Tensor::<3>::from_data([[[-1.0, 2.0]]], &device);
        let first = |t: Tensor<1>| t.into_data().try_to_vec::<f32>().expect("f32")[0] as f64;
        let expected = first(gelu(x.clone()).abs().sum()) / 2.0;
        probe.gelu(x);
        let term = first(probe.density.expect("a term"));
        assert!(
            (term - expected).abs() < 1e-6 && term > 1.0,
            "{term} vs {expected}"
        );
        assert!(probe.zeros.is_empty());
    }
}
