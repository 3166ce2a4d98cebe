//! ResNet-20 for CIFAR (He et al. 2016, §4.2): a 3×3 stem of 16 channels, three stages of three
//! basic blocks (16, 32, 64 channels; stride 2 entering stages 2 and 3), global average pooling
//! and a linear classifier. Where a block changes shape its shortcut is a 1×1 conv + BN
//! projection (option B), as in OpenLTH's `cifar_resnet_20`, the implementation the AP paper
//! follows: 272 474 parameters for 10 classes. It adapts to 1-channel 28×28 input as well.

use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::pool::{AdaptiveAvgPool2d, AdaptiveAvgPool2dConfig};
use burn::nn::{BatchNorm, BatchNormConfig, Linear, LinearConfig, PaddingConfig2d};
use burn::prelude::*;
use prunelab_core::dnr::UnitLayer;

use crate::network::InputShape;
use crate::probe::Probe;

fn conv(c_in: usize, c_out: usize, kernel: usize, stride: usize, device: &Device) -> Conv2d {
    let pad = kernel / 2;
    Conv2dConfig::new([c_in, c_out], [kernel, kernel])
        .with_stride([stride, stride])
        .with_padding(PaddingConfig2d::Explicit(pad, pad, pad, pad))
        .with_bias(false)
        .init(device)
}

/// The 1×1 conv + BN shortcut of a block that changes shape.
#[derive(Module, Debug)]
pub struct Projection {
    conv: Conv2d,
    bn: BatchNorm,
}

#[derive(Module, Debug)]
pub struct Block {
    conv1: Conv2d,
    bn1: BatchNorm,
    conv2: Conv2d,
    bn2: BatchNorm,
    shortcut: Option<Projection>,
}

impl Block {
    fn new(c_in: usize, c_out: usize, stride: usize, device: &Device) -> Self {
        let shortcut = (stride != 1 || c_in != c_out).then(|| Projection {
            conv: conv(c_in, c_out, 1, stride, device),
            bn: BatchNormConfig::new(c_out).init(device),
        });
        Self {
            conv1: conv(c_in, c_out, 3, stride, device),
            bn1: BatchNormConfig::new(c_out).init(device),
            conv2: conv(c_out, c_out, 3, 1, device),
            bn2: BatchNormConfig::new(c_out).init(device),
            shortcut,
        }
    }

    fn forward(&self, x: Tensor<4>, probe: &mut Probe) -> Tensor<4> {
        let y = probe.relu(self.bn1.forward(self.conv1.forward(x.clone())));
        let y = self.bn2.forward(self.conv2.forward(y));
        let skip = match &self.shortcut {
            Some(p) => p.bn.forward(p.conv.forward(x)),
            None => x,
        };
        probe.relu(y + skip)
    }
}

#[derive(Module, Debug)]
pub struct Resnet20 {
    conv: Conv2d,
    bn: BatchNorm,
    blocks: Vec<Block>,
    pool: AdaptiveAvgPool2d,
    fc: Linear,
    height: usize,
    width: usize,
}

const STAGES: [usize; 3] = [16, 32, 64];
const BLOCKS_PER_STAGE: usize = 3;

impl Resnet20 {
    pub fn new(input: InputShape, classes: usize, device: &Device) -> Self {
        let [c, h, w] = input.0;
        let mut blocks = Vec::new();
        let mut c_in = STAGES[0];
        for (s, &c_out) in STAGES.iter().enumerate() {
            for b in 0..BLOCKS_PER_STAGE {
                let stride = if s > 0 && b == 0 { 2 } else { 1 };
                blocks.push(Block::new(c_in, c_out, stride, device));
                c_in = c_out;
            }
        }
        Self {
            conv: conv(c, STAGES[0], 3, 1, device),
            bn: BatchNormConfig::new(STAGES[0]).init(device),
            blocks,
            pool: AdaptiveAvgPool2dConfig::new([1, 1]).init(),
            fc: LinearConfig::new(STAGES[2], classes).init(device),
            height: h,
            width: w,
        }
    }

    pub fn forward(&self, x: Tensor<4>, probe: &mut Probe) -> Tensor<2> {
        let mut x = probe.relu(self.bn.forward(self.conv.forward(x)));
        for block in &self.blocks {
            x = block.forward(x, probe);
        }
        self.fc.forward(self.pool.forward(x).flatten(1, 3))
    }

    /// Counted ReLU layers, in forward order. Prunable kernels are numbered in model order:
    /// stem conv, then per block conv1, conv2 and (if any) the shortcut conv, then fc.
    /// A block's second ReLU follows the residual sum: it is static-dead only when its conv2
    /// filter *and* its projection filter are fully pruned; behind an identity shortcut it always
    /// has a weightless input path, so it is never counted as static.
    pub fn units(&self) -> Vec<UnitLayer> {
        let (mut h, mut w) = (self.height, self.width);
        let mut units = vec![UnitLayer { name: "relu".into(), channels: STAGES[0], positions: h * w, incoming: vec![0] }];
        let mut kernel = 1;
        let widths = STAGES.iter().flat_map(|&c| [c; BLOCKS_PER_STAGE]);
        for (i, (block, channels)) in self.blocks.iter().zip(widths).enumerate() {
            let [stride, _] = block.conv1.stride;
            (h, w) = (h.div_ceil(stride), w.div_ceil(stride));
            let (conv1, conv2) = (kernel, kernel + 1);
            kernel += 2;
            let after_sum = match block.shortcut {
                Some(_) => {
                    kernel += 1;
                    vec![conv2, kernel - 1]
                }
                None => Vec::new(),
            };
            units.push(UnitLayer { name: format!("blocks.{i}.relu1"), channels, positions: h * w, incoming: vec![conv1] });
            units.push(UnitLayer { name: format!("blocks.{i}.relu2"), channels, positions: h * w, incoming: after_sum });
        }
        units
    }
}
