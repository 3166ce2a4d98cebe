//! burn layers from the backend-free shapes of [`prunelab_core::macs`], so that a model and its
//! parameter/MAC list come from one description.

use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{BatchNorm, BatchNormConfig, PaddingConfig2d};
use burn::prelude::*;
use prunelab_core::macs::Conv;

pub fn conv(c: Conv, device: &Device) -> Conv2d {
    let p = c.padding;
    Conv2dConfig::new([c.c_in, c.c_out], [c.kernel, c.kernel])
        .with_stride([c.stride, c.stride])
        .with_padding(PaddingConfig2d::Explicit(p, p, p, p))
        .with_groups(c.groups)
        .with_bias(c.bias)
        .init(device)
}

pub fn bn(channels: usize, device: &Device) -> BatchNorm {
    BatchNormConfig::new(channels).init(device)
}

/// The 1×1 conv + BN shortcut of a residual block that changes shape (`shortcut.conv`,
/// `shortcut.bn` in PyTorch names).
#[derive(Module, Debug)]
pub struct Projection {
    conv: Conv2d,
    bn: BatchNorm,
}

impl Projection {
    /// Projection through `c`, normalised over its `c.c_out` channels.
    pub fn new(c: Conv, device: &Device) -> Self {
        Self { conv: conv(c, device), bn: bn(c.c_out, device) }
    }

    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        self.bn.forward(self.conv.forward(x))
    }
}
