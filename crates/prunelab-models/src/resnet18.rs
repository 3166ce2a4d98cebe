//! ResNet-18 for CIFAR as kuangliu/pytorch-cifar's `ResNet18` (`ResNet(BasicBlock, [2, 2, 2, 2])`),
//! the network of the activation-density paper (Table I; its reference [27]): a 3×3 stem of 64
//! channels with stride 1 and no max-pool, four stages of two basic blocks (64, 128, 256, 512
//! channels; stride 2 entering stages 2–4), 1×1 conv + BN projection shortcuts wherever a block
//! changes shape, global average pooling and one linear layer: 11 173 962 parameters for 10
//! classes. The same [`Resnet`] code as ResNet-20/56.
//!
//! Widths are per layer as in the paper's Table I — stem, then conv1 and conv2 of each of the 8
//! blocks (17 numbers) — so a network resized to activation density × width keeps the structure:
//! BN sizes, projections (added wherever a block's input and output widths differ) and the
//! classifier follow the widths.

use burn::prelude::*;

use crate::network::InputShape;
use crate::resnet::{BlockPlan, Resnet, ResnetPlan};

/// Table I's `net0`: stem, then (conv1, conv2) of every block.
pub const RESNET18_WIDTHS: [usize; 17] = [
    64, 64, 64, 64, 64, 128, 128, 128, 128, 256, 256, 256, 256, 512, 512, 512, 512,
];

/// The plan for per-layer `widths` (each ≥ 1).
pub fn resnet18_plan(input: InputShape, classes: usize, widths: &[usize; 17]) -> ResnetPlan {
    let stem = widths[0];
    let mut c_in = stem;
    let blocks = (0..8)
        .map(|b| {
            let stride = if b >= 2 && b % 2 == 0 { 2 } else { 1 };
            let block = BlockPlan {
                c_in,
                mid: widths[1 + 2 * b],
                out: widths[2 + 2 * b],
                stride,
            };
            c_in = block.out;
            block
        })
        .collect();
    ResnetPlan {
        input,
        stem,
        blocks,
        classes,
    }
}

impl Resnet {
    /// ResNet-18 with the standard widths.
    pub fn resnet18(input: InputShape, classes: usize, device: &Device) -> Self {
        Self::resnet18_with_widths(input, classes, &RESNET18_WIDTHS, device)
    }

    /// ResNet-18 with per-layer `widths` (stem, then conv1 and conv2 of each block; each ≥ 1).
    pub fn resnet18_with_widths(
        input: InputShape,
        classes: usize,
        widths: &[usize; 17],
        device: &Device,
    ) -> Self {
        Self::from_plan(resnet18_plan(input, classes, widths), device)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_widths_are_kuangliu_resnet18() {
        let plan = resnet18_plan(InputShape([3, 32, 32]), 10, &RESNET18_WIDTHS);
        let strides: Vec<usize> = plan.blocks.iter().map(|b| b.stride).collect();
        assert_eq!(strides, [1, 1, 2, 1, 2, 1, 2, 1]);
        assert_eq!(
            plan,
            ResnetPlan::stages(
                InputShape([3, 32, 32]),
                10,
                64,
                &[(64, 1), (128, 2), (256, 2), (512, 2)],
                2
            )
        );
    }
}
