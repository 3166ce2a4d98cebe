//! LeNet-300-100 (LeCun et al. 1998; the lottery-ticket MNIST net): two hidden ReLU layers of 300
//! and 100 units on the flattened image. The hidden widths can be changed (activation-density
//! resizing, [`Lenet300::with_widths`]).

use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;
use prunelab_core::density::inherit::Axis;
use prunelab_core::dnr::UnitLayer;
use prunelab_core::macs::{self, LayerCost};

use crate::network::InputShape;
use crate::probe::Probe;

#[derive(Module, Debug)]
pub struct Lenet300 {
    fc1: Linear,
    fc2: Linear,
    fc3: Linear,
    #[module(skip)]
    widths: [usize; 2],
}

/// The standard hidden widths.
pub const LENET300_WIDTHS: [usize; 2] = [300, 100];

impl Lenet300 {
    pub fn new(input: InputShape, classes: usize, device: &Device) -> Self {
        Self::with_widths(input, classes, &LENET300_WIDTHS, device)
    }

    /// LeNet with hidden widths `[fc1, fc2]` (each ≥ 1).
    pub fn with_widths(
        input: InputShape,
        classes: usize,
        &[h1, h2]: &[usize; 2],
        device: &Device,
    ) -> Self {
        Self {
            fc1: LinearConfig::new(input.len(), h1).init(device),
            fc2: LinearConfig::new(h1, h2).init(device),
            fc3: LinearConfig::new(h2, classes).init(device),
            widths: [h1, h2],
        }
    }

    /// Parameters and MACs per layer for hidden widths `[fc1, fc2]`.
    pub fn costs(input: InputShape, classes: usize, &[h1, h2]: &[usize; 2]) -> Vec<LayerCost> {
        vec![
            macs::linear("fc1", input.len(), h1, true, 1),
            macs::linear("fc2", h1, h2, true, 1),
            macs::linear("fc3", h2, classes, true, 1),
        ]
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
            UnitLayer::fed_by("fc1", self.widths[0], 1, vec![0]),
            UnitLayer::fed_by("fc2", self.widths[1], 1, vec![1]),
        ]
    }

    /// Which resizable layer (fc1 = 0, fc2 = 1) each axis of tensor `name` indexes.
    pub fn axes(&self, name: &str) -> Option<Vec<Option<Axis>>> {
        let ch = Axis::channels;
        Some(match name {
            "fc1.weight" => vec![ch(0), None],
            "fc1.bias" => vec![ch(0)],
            "fc2.weight" => vec![ch(1), ch(0)],
            "fc2.bias" => vec![ch(1)],
            "fc3.weight" => vec![None, ch(1)],
            "fc3.bias" => vec![None],
            _ => return None,
        })
    }
}
