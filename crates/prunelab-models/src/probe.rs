//! Zero counting at every ReLU, on the device.

use burn::prelude::*;
use burn::tensor::activation::relu;

/// Collects, for each ReLU in forward order, the number of exact zeros per channel summed over
/// the batch and all positions (`[channels]`, Int, still on the device). A disabled probe is a
/// plain ReLU, so the counting cost can be measured.
#[derive(Debug, Default)]
pub struct Probe {
    enabled: bool,
    pub zeros: Vec<Tensor<1, Int>>,
}

impl Probe {
    pub fn counting() -> Self {
        Self { enabled: true, zeros: Vec::new() }
    }

    pub fn disabled() -> Self {
        Self { enabled: false, zeros: Vec::new() }
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
        y
    }
}
