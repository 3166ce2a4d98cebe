//! ResNet-50 for ImageNet (He et al. 2016, Table 1) as torchvision's `resnet50` (v1.5: the stride
//! of a down-sampling bottleneck is on its 3×3 conv): a 7×7 stride-2 stem of 64 channels + BN +
//! ReLU, 3×3 stride-2 max-pool, four stages of 3, 4, 6, 3 bottlenecks (1×1 → 3×3 → 1×1 ×4; widths
//! 64, 128, 256, 512; stride 2 entering stages 2–4) with a 1×1 conv + BN projection (torchvision's
//! `downsample`) on each stage's first block, global average pooling and a linear layer
//! 2048 → classes: 25 557 032 parameters and 4 089 184 256 MACs at 3×224×224 for 1000 classes.
//! The AP paper prunes it on ImageNet with IMP (Tables 5 and 9). Smaller inputs work (64×64 → 2×2
//! before pooling).

use burn::nn::conv::Conv2d;
use burn::nn::pool::{AdaptiveAvgPool2d, AdaptiveAvgPool2dConfig, MaxPool2d, MaxPool2dConfig};
use burn::nn::{BatchNorm, Linear, LinearConfig, PaddingConfig2d};
use burn::prelude::*;
use prunelab_core::dnr::UnitLayer;
use prunelab_core::macs::{self, Conv, LayerCost, pooled};

use crate::layers::{Apply, bn, conv};
use crate::network::InputShape;
use crate::probe::Probe;

/// (bottleneck width, blocks, first stride) per stage.
const STAGES: [(usize, usize, usize); 4] = [(64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)];
const STEM: usize = 64;
const EXPANSION: usize = 4;

/// One bottleneck's shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct BlockPlan {
    c_in: usize,
    width: usize,
    stride: usize,
}

impl BlockPlan {
    fn out(&self) -> usize {
        self.width * EXPANSION
    }

    fn convs(&self) -> [Conv; 3] {
        [
            Conv::new(self.c_in, self.width, 1),
            Conv::new(self.width, self.width, 3).stride(self.stride),
            Conv::new(self.width, self.out(), 1),
        ]
    }

    fn downsample(&self) -> Option<Conv> {
        (self.stride != 1 || self.c_in != self.out())
            .then(|| Conv::new(self.c_in, self.out(), 1).stride(self.stride))
    }
}

/// The shape of a ResNet-50: input, classes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resnet50Plan {
    pub input: InputShape,
    pub classes: usize,
}

impl Resnet50Plan {
    fn stem(&self) -> Conv {
        Conv::new(self.input.0[0], STEM, 7).stride(2)
    }

    /// Every bottleneck with its stage (0-based) and name (`layer{stage + 1}.{index}`).
    fn blocks(&self) -> Vec<(usize, String, BlockPlan)> {
        let mut c_in = STEM;
        let mut out = Vec::new();
        for (s, (width, n, stride)) in STAGES.into_iter().enumerate() {
            for b in 0..n {
                let block = BlockPlan {
                    c_in,
                    width,
                    stride: if b == 0 { stride } else { 1 },
                };
                c_in = block.out();
                out.push((s, format!("layer{}.{b}", s + 1), block));
            }
        }
        out
    }

    /// Spatial size after the stem conv, after the max-pool and after each block.
    fn sizes(&self) -> Vec<[usize; 2]> {
        let [_, h, w] = self.input.0;
        let [h, w] = self.stem().output([h, w]);
        let mut sizes = vec![[h, w], [pooled(h, 3, 2, 1), pooled(w, 3, 2, 1)]];
        for (_, _, b) in self.blocks() {
            let last = sizes[sizes.len() - 1];
            sizes.push(b.convs()[1].output(last));
        }
        sizes
    }

    pub fn costs(&self) -> Vec<LayerCost> {
        let [_, h, w] = self.input.0;
        let sizes = self.sizes();
        let mut out = vec![self.stem().cost("conv1", [h, w]), macs::norm("bn1", STEM)];
        for ((_, name, b), &size) in self.blocks().iter().zip(&sizes[1..]) {
            let [c1, c2, c3] = b.convs();
            let after = c2.output(size);
            out.push(c1.cost(format!("{name}.conv1"), size));
            out.push(macs::norm(format!("{name}.bn1"), b.width));
            out.push(c2.cost(format!("{name}.conv2"), size));
            out.push(macs::norm(format!("{name}.bn2"), b.width));
            out.push(c3.cost(format!("{name}.conv3"), after));
            out.push(macs::norm(format!("{name}.bn3"), b.out()));
            if let Some(d) = b.downsample() {
                out.push(d.cost(format!("{name}.downsample.conv"), size));
                out.push(macs::norm(format!("{name}.downsample.bn"), b.out()));
            }
        }
        out.push(macs::linear(
            "fc",
            STAGES[3].0 * EXPANSION,
            self.classes,
            true,
            1,
        ));
        out
    }

    /// Counted ReLU layers: the stem's, then three per bottleneck (after conv1, after conv2, after
    /// the residual sum). Kernels in model order: stem, per block conv1, conv2, conv3 and the
    /// downsample conv if any, fc. As in ResNet-20, the ReLU after the sum is fed by the conv3
    /// filter and the downsample filter if any, static-dead only when all of them are fully
    /// pruned, and never static behind an identity shortcut (whose conv3 rows AP-output may still
    /// choose).
    pub fn units(&self) -> Vec<UnitLayer> {
        let sizes = self.sizes();
        let [h, w] = sizes[0];
        let mut units = vec![UnitLayer::fed_by("relu", STEM, h * w, vec![0])];
        let mut kernel = 1;
        for ((_, name, b), &[h, w]) in self.blocks().iter().zip(&sizes[1..]) {
            let [oh, ow] = b.convs()[1].output([h, w]);
            units.push(UnitLayer::fed_by(
                format!("{name}.relu1"),
                b.width,
                h * w,
                vec![kernel],
            ));
            units.push(UnitLayer::fed_by(
                format!("{name}.relu2"),
                b.width,
                oh * ow,
                vec![kernel + 1],
            ));
            let relu3 = format!("{name}.relu3");
            units.push(match b.downsample() {
                Some(_) => UnitLayer::fed_by(relu3, b.out(), oh * ow, vec![kernel + 2, kernel + 3]),
                None => UnitLayer::fed_by(relu3, b.out(), oh * ow, vec![kernel + 2])
                    .with_identity_path(),
            });
            kernel += 3 + usize::from(b.downsample().is_some());
        }
        units
    }
}

#[derive(Module, Debug)]
pub struct Downsample {
    conv: Conv2d,
    bn: BatchNorm,
}

#[derive(Module, Debug)]
pub struct Bottleneck {
    conv1: Conv2d,
    bn1: BatchNorm,
    conv2: Conv2d,
    bn2: BatchNorm,
    conv3: Conv2d,
    bn3: BatchNorm,
    downsample: Option<Downsample>,
}

impl Bottleneck {
    fn new(plan: &BlockPlan, device: &Device) -> Self {
        let [c1, c2, c3] = plan.convs();
        Self {
            conv1: conv(c1, device),
            bn1: bn(plan.width, device),
            conv2: conv(c2, device),
            bn2: bn(plan.width, device),
            conv3: conv(c3, device),
            bn3: bn(plan.out(), device),
            downsample: plan.downsample().map(|d| Downsample {
                conv: conv(d, device),
                bn: bn(plan.out(), device),
            }),
        }
    }

    fn forward(&self, x: Tensor<4>, probe: &mut Probe) -> Tensor<4> {
        let y = probe.relu(self.bn1.apply(self.conv1.apply(x.clone())));
        let y = probe.relu(self.bn2.apply(self.conv2.apply(y)));
        let y = self.bn3.apply(self.conv3.apply(y));
        let skip = match &self.downsample {
            Some(d) => d.bn.apply(d.conv.apply(x)),
            None => x,
        };
        probe.relu(y + skip)
    }
}

#[derive(Module, Debug)]
pub struct Resnet50 {
    conv1: Conv2d,
    bn1: BatchNorm,
    maxpool: MaxPool2d,
    layer1: Vec<Bottleneck>,
    layer2: Vec<Bottleneck>,
    layer3: Vec<Bottleneck>,
    layer4: Vec<Bottleneck>,
    avgpool: AdaptiveAvgPool2d,
    fc: Linear,
    #[module(skip)]
    plan: Resnet50Plan,
}

impl Resnet50 {
    pub fn new(input: InputShape, classes: usize, device: &Device) -> Self {
        let plan = Resnet50Plan { input, classes };
        let mut stages: [Vec<Bottleneck>; 4] = Default::default();
        for (s, _, b) in plan.blocks() {
            stages[s].push(Bottleneck::new(&b, device));
        }
        let [layer1, layer2, layer3, layer4] = stages;
        Self {
            conv1: conv(plan.stem(), device),
            bn1: bn(STEM, device),
            maxpool: MaxPool2dConfig::new([3, 3])
                .with_strides([2, 2])
                .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
                .init(),
            layer1,
            layer2,
            layer3,
            layer4,
            avgpool: AdaptiveAvgPool2dConfig::new([1, 1]).init(),
            fc: LinearConfig::new(STAGES[3].0 * EXPANSION, classes).init(device),
            plan,
        }
    }

    pub fn forward(&self, x: Tensor<4>, probe: &mut Probe) -> Tensor<2> {
        let mut x = self
            .maxpool
            .forward(probe.relu(self.bn1.apply(self.conv1.apply(x))));
        for block in self
            .layer1
            .iter()
            .chain(&self.layer2)
            .chain(&self.layer3)
            .chain(&self.layer4)
        {
            x = block.forward(x, probe);
        }
        self.fc.forward(self.avgpool.forward(x).flatten(1, 3))
    }

    pub fn units(&self) -> Vec<UnitLayer> {
        self.plan.units()
    }
}
