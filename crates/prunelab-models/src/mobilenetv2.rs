//! MobileNetV2 for CIFAR (Sandler et al. 2018) as kuangliu/pytorch-cifar's `MobileNetV2`: a 3×3
//! stem of 32 channels with stride 1 (not 2), 17 inverted-residual blocks — 1×1 expansion (×t),
//! 3×3 depthwise (groups = channels), 1×1 linear projection, each with BN — in the stages
//! (t, c, n, s) = (1,16,1,1), (6,24,2,1), (6,32,3,2), (6,64,4,2), (6,96,3,1), (6,160,3,2),
//! (6,320,1,1) (the second stage's stride 2 → 1 for 32×32 inputs), a 1×1 conv to 1280, global
//! average pooling and one linear layer: 2 412 212 parameters for 100 classes (CIFAR-100, the AP
//! paper's Tables 4 and 11), 2 296 922 for 10. As kuangliu, a stride-1 block adds its input back,
//! through a 1×1 conv + BN projection where the widths differ; stride-2 blocks have no shortcut.
//!
//! Activations are MobileNetV2's ReLU6 (kuangliu uses ReLU; the counts are the same), counted as
//! ReLU: a unit is dead at output 0. The projection is linear (no activation), so the residual
//! sum has no counted unit: every ReLU6 follows exactly one conv + BN, whose filter alone decides
//! static-ness (depthwise filter c feeds channel c).

use burn::nn::conv::Conv2d;
use burn::nn::pool::{AdaptiveAvgPool2d, AdaptiveAvgPool2dConfig};
use burn::nn::{BatchNorm, Linear, LinearConfig};
use burn::prelude::*;
use prunelab_core::dnr::UnitLayer;
use prunelab_core::macs::{self, Conv, LayerCost};

use crate::layers::{Apply, Projection, bn, conv};
use crate::network::InputShape;
use crate::probe::Probe;

/// (expansion t, output channels c, blocks n, first stride s) per stage.
const STAGES: [(usize, usize, usize, usize); 7] = [
    (1, 16, 1, 1),
    (6, 24, 2, 1),
    (6, 32, 3, 2),
    (6, 64, 4, 2),
    (6, 96, 3, 1),
    (6, 160, 3, 2),
    (6, 320, 1, 1),
];
const STEM: usize = 32;
const LAST: usize = 1280;

/// One inverted-residual block's shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct BlockPlan {
    c_in: usize,
    expanded: usize,
    out: usize,
    stride: usize,
}

impl BlockPlan {
    fn expand(&self) -> Conv {
        Conv::new(self.c_in, self.expanded, 1)
    }

    fn depthwise(&self) -> Conv {
        Conv::new(self.expanded, self.expanded, 3)
            .stride(self.stride)
            .groups(self.expanded)
    }

    fn project(&self) -> Conv {
        Conv::new(self.expanded, self.out, 1)
    }

    fn shortcut(&self) -> Option<Conv> {
        (self.stride == 1 && self.c_in != self.out).then(|| Conv::new(self.c_in, self.out, 1))
    }
}

/// The shape of a CIFAR MobileNetV2: input, classes (the blocks are fixed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MobilenetPlan {
    pub input: InputShape,
    pub classes: usize,
}

impl MobilenetPlan {
    fn stem(&self) -> Conv {
        Conv::new(self.input.0[0], STEM, 3)
    }

    fn head(&self) -> Conv {
        Conv::new(STAGES[6].1, LAST, 1)
    }

    fn blocks(&self) -> Vec<BlockPlan> {
        let mut c_in = STEM;
        let mut out = Vec::new();
        for (t, c, n, s) in STAGES {
            for b in 0..n {
                out.push(BlockPlan {
                    c_in,
                    expanded: t * c_in,
                    out: c,
                    stride: if b == 0 { s } else { 1 },
                });
                c_in = c;
            }
        }
        out
    }

    /// Spatial size after the stem and after each block.
    fn sizes(&self) -> Vec<[usize; 2]> {
        let [_, h, w] = self.input.0;
        let mut sizes = vec![self.stem().output([h, w])];
        for b in self.blocks() {
            let last = sizes[sizes.len() - 1];
            sizes.push(b.depthwise().output(last));
        }
        sizes
    }

    pub fn costs(&self) -> Vec<LayerCost> {
        let [_, h, w] = self.input.0;
        let sizes = self.sizes();
        let mut out = vec![self.stem().cost("conv1", [h, w]), macs::norm("bn1", STEM)];
        for (i, (b, &size)) in self.blocks().iter().zip(&sizes).enumerate() {
            let after = b.depthwise().output(size);
            out.push(b.expand().cost(format!("layers.{i}.conv1"), size));
            out.push(macs::norm(format!("layers.{i}.bn1"), b.expanded));
            out.push(b.depthwise().cost(format!("layers.{i}.conv2"), size));
            out.push(macs::norm(format!("layers.{i}.bn2"), b.expanded));
            out.push(b.project().cost(format!("layers.{i}.conv3"), after));
            out.push(macs::norm(format!("layers.{i}.bn3"), b.out));
            if let Some(p) = b.shortcut() {
                out.push(p.cost(format!("layers.{i}.shortcut.conv"), size));
                out.push(macs::norm(format!("layers.{i}.shortcut.bn"), b.out));
            }
        }
        out.push(self.head().cost("conv2", sizes[sizes.len() - 1]));
        out.push(macs::norm("bn2", LAST));
        out.push(macs::linear("linear", LAST, self.classes, true, 1));
        out
    }

    /// Counted ReLU6 layers: the stem's, two per block (after expansion and after the depthwise
    /// conv) and the head's. Kernels in model order: stem, per block conv1, conv2, conv3 and the
    /// shortcut conv if any, head conv, linear.
    pub fn units(&self) -> Vec<UnitLayer> {
        let sizes = self.sizes();
        let [h, w] = sizes[0];
        let mut units = vec![UnitLayer::fed_by("relu1", STEM, h * w, vec![0])];
        let mut kernel = 1;
        for (i, (b, &[h, w])) in self.blocks().iter().zip(&sizes).enumerate() {
            let [oh, ow] = b.depthwise().output([h, w]);
            units.push(UnitLayer::fed_by(
                format!("layers.{i}.relu1"),
                b.expanded,
                h * w,
                vec![kernel],
            ));
            units.push(UnitLayer::fed_by(
                format!("layers.{i}.relu2"),
                b.expanded,
                oh * ow,
                vec![kernel + 1],
            ));
            kernel += 3 + usize::from(b.shortcut().is_some());
        }
        let [h, w] = sizes[sizes.len() - 1];
        units.push(UnitLayer::fed_by("relu2", LAST, h * w, vec![kernel]));
        units
    }
}

#[derive(Module, Debug)]
pub struct Block {
    conv1: Conv2d,
    bn1: BatchNorm,
    conv2: Conv2d,
    bn2: BatchNorm,
    conv3: Conv2d,
    bn3: BatchNorm,
    shortcut: Option<Projection>,
    stride: usize,
}

impl Block {
    fn new(plan: &BlockPlan, device: &Device) -> Self {
        Self {
            conv1: conv(plan.expand(), device),
            bn1: bn(plan.expanded, device),
            conv2: conv(plan.depthwise(), device),
            bn2: bn(plan.expanded, device),
            conv3: conv(plan.project(), device),
            bn3: bn(plan.out, device),
            shortcut: plan.shortcut().map(|p| Projection::new(p, device)),
            stride: plan.stride,
        }
    }

    fn forward(&self, x: Tensor<4>, probe: &mut Probe) -> Tensor<4> {
        let y = probe.relu6(self.bn1.apply(self.conv1.apply(x.clone())));
        let y = probe.relu6(self.bn2.apply(self.conv2.apply(y)));
        let y = self.bn3.apply(self.conv3.apply(y));
        match (&self.shortcut, self.stride) {
            (Some(p), _) => y + p.forward(x),
            (None, 1) => y + x,
            (None, _) => y,
        }
    }
}

#[derive(Module, Debug)]
pub struct Mobilenetv2 {
    conv1: Conv2d,
    bn1: BatchNorm,
    layers: Vec<Block>,
    conv2: Conv2d,
    bn2: BatchNorm,
    gap: AdaptiveAvgPool2d,
    linear: Linear,
    #[module(skip)]
    plan: MobilenetPlan,
}

impl Mobilenetv2 {
    pub fn new(input: InputShape, classes: usize, device: &Device) -> Self {
        let plan = MobilenetPlan { input, classes };
        Self {
            conv1: conv(plan.stem(), device),
            bn1: bn(STEM, device),
            layers: plan
                .blocks()
                .iter()
                .map(|b| Block::new(b, device))
                .collect(),
            conv2: conv(plan.head(), device),
            bn2: bn(LAST, device),
            gap: AdaptiveAvgPool2dConfig::new([1, 1]).init(),
            linear: LinearConfig::new(LAST, classes).init(device),
            plan,
        }
    }

    pub fn forward(&self, x: Tensor<4>, probe: &mut Probe) -> Tensor<2> {
        let mut x = probe.relu6(self.bn1.apply(self.conv1.apply(x)));
        for block in &self.layers {
            x = block.forward(x, probe);
        }
        let x = probe.relu6(self.bn2.apply(self.conv2.apply(x)));
        self.linear.forward(self.gap.forward(x).flatten(1, 3))
    }

    pub fn units(&self) -> Vec<UnitLayer> {
        self.plan.units()
    }
}
