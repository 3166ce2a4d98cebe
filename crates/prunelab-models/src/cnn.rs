//! A small CIFAR-style CNN that adapts to its input (1×28×28 MNIST or 3×32×32 CIFAR):
//! conv3×3(32)–ReLU–maxpool2 → conv3×3(64)–ReLU–maxpool2 → fc(128)–ReLU → fc(classes).
//! The widths of conv1, conv2 and fc1 can be changed (activation-density resizing,
//! [`Cnn::with_widths`]).

use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::pool::{MaxPool2d, MaxPool2dConfig};
use burn::nn::{Linear, LinearConfig, PaddingConfig2d};
use burn::prelude::*;
use prunelab_core::density::inherit::Axis;
use prunelab_core::dnr::UnitLayer;
use prunelab_core::macs::{self, Conv, LayerCost};

use crate::layers::Apply;
use crate::network::InputShape;
use crate::probe::Probe;

#[derive(Module, Debug)]
pub struct Cnn {
    conv1: Conv2d,
    conv2: Conv2d,
    fc1: Linear,
    fc2: Linear,
    pool: MaxPool2d,
    height: usize,
    width: usize,
    #[module(skip)]
    widths: [usize; 3],
}

/// The standard widths of conv1, conv2 and fc1.
pub const CNN_WIDTHS: [usize; 3] = [32, 64, 128];

fn conv3x3(c_in: usize, c_out: usize, device: &Device) -> Conv2d {
    Conv2dConfig::new([c_in, c_out], [3, 3])
        .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
        .init(device)
}

impl Cnn {
    pub fn new(input: InputShape, classes: usize, device: &Device) -> Self {
        Self::with_widths(input, classes, &CNN_WIDTHS, device)
    }

    /// The CNN with `[conv1, conv2, fc1]` widths (each ≥ 1).
    pub fn with_widths(
        input: InputShape,
        classes: usize,
        &[c1, c2, f1]: &[usize; 3],
        device: &Device,
    ) -> Self {
        let [c, h, w] = input.0;
        Self {
            conv1: conv3x3(c, c1, device),
            conv2: conv3x3(c1, c2, device),
            fc1: LinearConfig::new(c2 * (h / 4) * (w / 4), f1).init(device),
            fc2: LinearConfig::new(f1, classes).init(device),
            pool: MaxPool2dConfig::new([2, 2]).with_strides([2, 2]).init(),
            height: h,
            width: w,
            widths: [c1, c2, f1],
        }
    }

    /// Parameters and MACs per layer for `[conv1, conv2, fc1]` widths (the convs keep their size;
    /// each pool halves it).
    pub fn costs(input: InputShape, classes: usize, &[c1, c2, f1]: &[usize; 3]) -> Vec<LayerCost> {
        let [c, h, w] = input.0;
        vec![
            Conv::new(c, c1, 3).bias().cost("conv1", [h, w]),
            Conv::new(c1, c2, 3).bias().cost("conv2", [h / 2, w / 2]),
            macs::linear("fc1", c2 * (h / 4) * (w / 4), f1, true, 1),
            macs::linear("fc2", f1, classes, true, 1),
        ]
    }

    pub fn forward(&self, x: Tensor<4>, probe: &mut Probe) -> Tensor<2> {
        let x = self.pool.forward(probe.relu(self.conv1.apply(x)));
        let x = self.pool.forward(probe.relu(self.conv2.apply(x)));
        let x = probe.relu(self.fc1.forward(x.flatten(1, 3)));
        self.fc2.forward(x)
    }

    /// Counted ReLU layers; prunable kernels are conv1, conv2, fc1, fc2.
    pub fn units(&self) -> Vec<UnitLayer> {
        let (h, w) = (self.height, self.width);
        vec![
            UnitLayer::fed_by("conv1", self.widths[0], h * w, vec![0]),
            UnitLayer::fed_by("conv2", self.widths[1], (h / 2) * (w / 2), vec![1]),
            UnitLayer::fed_by("fc1", self.widths[2], 1, vec![2]),
        ]
    }

    /// Which resizable layer (conv1 = 0, conv2 = 1, fc1 = 2) each axis of tensor `name` indexes;
    /// fc1 reads conv2's channels flattened over the pooled map.
    pub fn axes(&self, name: &str) -> Option<Vec<Option<Axis>>> {
        let ch = Axis::channels;
        let flat = Some(Axis {
            layer: 1,
            positions: (self.height / 4) * (self.width / 4),
        });
        Some(match name {
            "conv1.weight" => vec![ch(0), None, None, None],
            "conv1.bias" => vec![ch(0)],
            "conv2.weight" => vec![ch(1), ch(0), None, None],
            "conv2.bias" => vec![ch(1)],
            "fc1.weight" => vec![ch(2), flat],
            "fc1.bias" => vec![ch(2)],
            "fc2.weight" => vec![None, ch(2)],
            "fc2.bias" => vec![None],
            _ => return None,
        })
    }
}
