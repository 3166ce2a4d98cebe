//! LeNet-300-100 (LeCun et al. 1998; the lottery-ticket MNIST net): two hidden ReLU layers of 300
//! and 100 units on the flattened image.

use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;
use prunelab_core::dnr::UnitLayer;
use prunelab_core::macs::{self, LayerCost};

use crate::network::InputShape;
use crate::probe::Probe;

#[derive(Module, Debug)]
pub struct Lenet300 {
    fc1: Linear,
    fc2: Linear,
    fc3: Linear,
}

impl Lenet300 {
    pub fn new(input: InputShape, classes: usize, device: &Device) -> Self {
        Self {
            fc1: LinearConfig::new(input.len(), 300).init(device),
            fc2: LinearConfig::new(300, 100).init(device),
            fc3: LinearConfig::new(100, classes).init(device),
        }
    }

    /// Parameters and MACs per layer.
    pub fn costs(input: InputShape, classes: usize) -> Vec<LayerCost> {
        vec![macs::linear("fc1", input.len(), 300, true, 1), macs::linear("fc2", 300, 100, true, 1), macs::linear("fc3", 100, classes, true, 1)]
    }

    pub fn forward(&self, x: Tensor<4>, probe: &mut Probe) -> Tensor<2> {
        let x: Tensor<2> = x.flatten(1, 3);
        let x = probe.relu(self.fc1.forward(x));
        let x = probe.relu(self.fc2.forward(x));
        self.fc3.forward(x)
    }

    /// Counted ReLU layers; `incoming` indexes the prunable kernels (fc1, fc2, fc3).
    pub fn units(&self) -> Vec<UnitLayer> {
        vec![
            UnitLayer { name: "fc1".into(), channels: 300, positions: 1, incoming: vec![0] },
            UnitLayer { name: "fc2".into(), channels: 100, positions: 1, incoming: vec![1] },
        ]
    }
}
