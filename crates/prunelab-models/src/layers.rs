//! burn layers from the backend-free shapes of [`prunelab_core::macs`], so that a model and its
//! parameter/MAC list come from one description.

use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{BatchNorm, BatchNormConfig, PaddingConfig2d};
use burn::prelude::*;
use burn::tensor::ops::ConvOptions;
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

/// A conv or batch-norm layer's forward pass, through `prunelab_kernels`' libtorch ops where they
/// apply (the LibTorch backend in training: libtorch's own backward kernels), else burn's.
pub trait Apply<const D: usize> {
    fn apply(&self, x: Tensor<D>) -> Tensor<D>;
}

impl Apply<4> for Conv2d {
    fn apply(&self, x: Tensor<4>) -> Tensor<4> {
        let PaddingConfig2d::Explicit(top, left, bottom, right) = self.padding else {
            return self.forward(x);
        };
        let options = ConvOptions::new_with_padding(
            self.stride,
            [(top, bottom), (left, right)],
            self.dilation,
            self.groups,
        );
        let bias = self.bias.as_ref().map(|b| b.val());
        prunelab_kernels::conv2d(&x, &self.weight.val(), bias.as_ref(), &options)
            .unwrap_or_else(|| self.forward(x))
    }
}

impl<const D: usize> Apply<D> for BatchNorm {
    /// In training, the running statistics are updated from the batch statistics exactly as
    /// burn's `BatchNorm::forward` does (momentum-weighted mean and biased variance).
    fn apply(&self, x: Tensor<D>) -> Tensor<D> {
        if !(x.device().is_autodiff() && self.training.is_enabled()) {
            return self.forward(x);
        }
        let Some((out, mean, variance)) = prunelab_kernels::batch_norm_train(
            &x,
            &self.gamma.val(),
            &self.beta.val(),
            self.epsilon,
        ) else {
            return self.forward(x);
        };
        let device = x.device();
        let m = self.momentum;
        let running_mean = self
            .running_mean
            .value_sync()
            .to_device(&device)
            .mul_scalar(1.0 - m)
            .add(mean.mul_scalar(m));
        let running_var = self
            .running_var
            .value_sync()
            .to_device(&device)
            .mul_scalar(1.0 - m)
            .add(variance.mul_scalar(m));
        self.running_mean.update(running_mean.detach());
        self.running_var.update(running_var.detach());
        out
    }
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
        Self {
            conv: conv(c, device),
            bn: bn(c.c_out, device),
        }
    }

    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        self.bn.apply(self.conv.apply(x))
    }
}
