"""Reference parameter and MAC counts of prunelab's networks, from PyTorch.

The CIFAR networks are re-typed here from their public sources (OpenLTH, kuangliu/pytorch-cifar,
Huang et al.'s DenseNet); ResNet-50 and ViT-B/16 are torchvision's own. Parameters are
`sum(p.numel() for p in model.parameters())` (BatchNorm running statistics are buffers, not
parameters). MACs are half the FLOPs that `torch.utils.flop_counter.FlopCounterMode` counts for one
image: convolutions, linear layers and the attention matmuls; no bias, norm, activation, pooling or
addition. `docs/models.md` lists the numbers and `crates/prunelab-models/tests/costs.rs` checks the
Rust models against them.

    python3 -m venv /tmp/venv-torch && /tmp/venv-torch/bin/pip install torch torchvision
    /tmp/venv-torch/bin/python tests/reference/models.py            # one JSON object per line
"""

import json

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
from torch.utils.flop_counter import FlopCounterMode


class CifarResNet(nn.Module):
    """OpenLTH's `cifar_resnet_N` (models/cifar_resnet.py): 1x1 conv + BN projection shortcuts."""

    class Block(nn.Module):
        def __init__(self, f_in, f_out, downsample):
            super().__init__()
            stride = 2 if downsample else 1
            self.conv1 = nn.Conv2d(f_in, f_out, 3, stride=stride, padding=1, bias=False)
            self.bn1 = nn.BatchNorm2d(f_out)
            self.conv2 = nn.Conv2d(f_out, f_out, 3, stride=1, padding=1, bias=False)
            self.bn2 = nn.BatchNorm2d(f_out)
            if downsample or f_in != f_out:
                self.shortcut = nn.Sequential(nn.Conv2d(f_in, f_out, 1, stride=2, bias=False), nn.BatchNorm2d(f_out))
            else:
                self.shortcut = nn.Sequential()

        def forward(self, x):
            out = F.relu(self.bn1(self.conv1(x)))
            out = self.bn2(self.conv2(out))
            return F.relu(out + self.shortcut(x))

    def __init__(self, depth, outputs=10):
        super().__init__()
        n = (depth - 2) // 6
        plan = [(16, n), (32, n), (64, n)]
        current = plan[0][0]
        self.conv = nn.Conv2d(3, current, 3, stride=1, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(current)
        blocks = []
        for s, (filters, count) in enumerate(plan):
            for b in range(count):
                blocks.append(CifarResNet.Block(current, filters, s > 0 and b == 0))
                current = filters
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(plan[-1][0], outputs)

    def forward(self, x):
        out = self.blocks(F.relu(self.bn(self.conv(x))))
        out = F.avg_pool2d(out, out.size()[3])
        return self.fc(out.view(out.size(0), -1))


VGG19_PLAN = [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 256, 'M', 512, 512, 512, 512, 'M', 512, 512, 512, 512]


class OpenLthVgg(nn.Module):
    """OpenLTH's `cifar_vgg_19` (models/cifar_vgg.py): conv3x3 (with bias) + BN + ReLU, no pool
    after the last stage, 2x2 average pool, Linear(512, outputs)."""

    def __init__(self, outputs=10):
        super().__init__()
        layers, filters = [], 3
        for spec in VGG19_PLAN:
            if spec == 'M':
                layers.append(nn.MaxPool2d(2, 2))
            else:
                layers += [nn.Conv2d(filters, spec, 3, padding=1), nn.BatchNorm2d(spec), nn.ReLU()]
                filters = spec
        self.layers = nn.Sequential(*layers)
        self.fc = nn.Linear(512, outputs)

    def forward(self, x):
        x = nn.AvgPool2d(2)(self.layers(x))
        return self.fc(x.view(x.size(0), -1))


class KuangliuVgg(nn.Module):
    """kuangliu/pytorch-cifar models/vgg.py, VGG19: the same layers plus a last max-pool."""

    def __init__(self, outputs=10):
        super().__init__()
        layers, filters = [], 3
        for spec in VGG19_PLAN + ['M']:
            if spec == 'M':
                layers.append(nn.MaxPool2d(2, 2))
            else:
                layers += [nn.Conv2d(filters, spec, 3, padding=1), nn.BatchNorm2d(spec), nn.ReLU()]
                filters = spec
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Linear(512, outputs)

    def forward(self, x):
        out = self.features(x)
        return self.classifier(out.view(out.size(0), -1))


class DenseNet(nn.Module):
    """DenseNet (Huang et al. 2017) without bottleneck or compression: BN-ReLU-conv3x3 layers
    adding `growth` channels, transitions BN-ReLU-conv1x1-avgpool2, final BN-ReLU-avgpool-linear.
    `initial` = 16 is the paper's (and its Torch code's); the PyTorch port used by Liu et al. 2019
    (rethinking-network-pruning, densenet.py) starts with 2 x growth = 24."""

    def __init__(self, depth=40, growth=12, initial=16, outputs=100):
        super().__init__()
        n = (depth - 4) // 3
        c = initial
        self.conv1 = nn.Conv2d(3, c, 3, padding=1, bias=False)
        stages = []
        for s in range(3):
            layers = []
            for _ in range(n):
                layers.append(nn.Sequential(nn.BatchNorm2d(c), nn.ReLU(), nn.Conv2d(c, growth, 3, padding=1, bias=False)))
                c += growth
            stages.append(nn.ModuleList(layers))
            if s < 2:
                stages.append(nn.Sequential(nn.BatchNorm2d(c), nn.ReLU(), nn.Conv2d(c, c, 1, bias=False), nn.AvgPool2d(2)))
        self.stages = nn.ModuleList(stages)
        self.bn = nn.BatchNorm2d(c)
        self.fc = nn.Linear(c, outputs)

    def forward(self, x):
        x = self.conv1(x)
        for stage in self.stages:
            if isinstance(stage, nn.ModuleList):
                for layer in stage:
                    x = torch.cat((x, layer(x)), 1)
            else:
                x = stage(x)
        x = F.adaptive_avg_pool2d(F.relu(self.bn(x)), 1)
        return self.fc(x.view(x.size(0), -1))


class MobileNetV2(nn.Module):
    """kuangliu/pytorch-cifar models/mobilenetv2.py (stride 1 in the stem and in the second
    stage; a 1x1 conv + BN shortcut where a stride-1 block changes width) with MobileNetV2's
    ReLU6 (kuangliu uses ReLU; the counts are the same)."""

    CFG = [(1, 16, 1, 1), (6, 24, 2, 1), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]

    class Block(nn.Module):
        def __init__(self, in_planes, out_planes, expansion, stride):
            super().__init__()
            self.stride = stride
            planes = expansion * in_planes
            self.conv1 = nn.Conv2d(in_planes, planes, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(planes)
            self.conv2 = nn.Conv2d(planes, planes, 3, stride=stride, padding=1, groups=planes, bias=False)
            self.bn2 = nn.BatchNorm2d(planes)
            self.conv3 = nn.Conv2d(planes, out_planes, 1, bias=False)
            self.bn3 = nn.BatchNorm2d(out_planes)
            self.shortcut = nn.Sequential()
            if stride == 1 and in_planes != out_planes:
                self.shortcut = nn.Sequential(nn.Conv2d(in_planes, out_planes, 1, bias=False), nn.BatchNorm2d(out_planes))

        def forward(self, x):
            out = F.relu6(self.bn1(self.conv1(x)))
            out = F.relu6(self.bn2(self.conv2(out)))
            out = self.bn3(self.conv3(out))
            return out + self.shortcut(x) if self.stride == 1 else out

    def __init__(self, outputs=100):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 32, 3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(32)
        layers, in_planes = [], 32
        for expansion, out_planes, blocks, stride in self.CFG:
            for s in [stride] + [1] * (blocks - 1):
                layers.append(MobileNetV2.Block(in_planes, out_planes, expansion, s))
                in_planes = out_planes
        self.layers = nn.Sequential(*layers)
        self.conv2 = nn.Conv2d(320, 1280, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(1280)
        self.linear = nn.Linear(1280, outputs)

    def forward(self, x):
        out = self.layers(F.relu6(self.bn1(self.conv1(x))))
        out = F.adaptive_avg_pool2d(F.relu6(self.bn2(self.conv2(out))), 1)
        return self.linear(out.view(out.size(0), -1))


class ResNet18(nn.Module):
    """kuangliu/pytorch-cifar models/resnet.py, ResNet18 = ResNet(BasicBlock, [2, 2, 2, 2])."""

    class BasicBlock(nn.Module):
        def __init__(self, in_planes, planes, stride):
            super().__init__()
            self.conv1 = nn.Conv2d(in_planes, planes, 3, stride=stride, padding=1, bias=False)
            self.bn1 = nn.BatchNorm2d(planes)
            self.conv2 = nn.Conv2d(planes, planes, 3, stride=1, padding=1, bias=False)
            self.bn2 = nn.BatchNorm2d(planes)
            self.shortcut = nn.Sequential()
            if stride != 1 or in_planes != planes:
                self.shortcut = nn.Sequential(nn.Conv2d(in_planes, planes, 1, stride=stride, bias=False), nn.BatchNorm2d(planes))

        def forward(self, x):
            out = F.relu(self.bn1(self.conv1(x)))
            out = self.bn2(self.conv2(out))
            return F.relu(out + self.shortcut(x))

    def __init__(self, outputs=10):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        layers, in_planes = [], 64
        for planes, stride in [(64, 1), (128, 2), (256, 2), (512, 2)]:
            for s in [stride, 1]:
                layers.append(ResNet18.BasicBlock(in_planes, planes, s))
                in_planes = planes
        self.layers = nn.Sequential(*layers)
        self.linear = nn.Linear(512, outputs)

    def forward(self, x):
        out = self.layers(F.relu(self.bn1(self.conv1(x))))
        out = F.adaptive_avg_pool2d(out, 1)
        return self.linear(out.view(out.size(0), -1))


class Lenet300(nn.Module):
    """LeNet-300-100 (the lottery-ticket paper's MNIST network)."""

    def __init__(self, inputs=784, outputs=10):
        super().__init__()
        self.fc1, self.fc2, self.fc3 = nn.Linear(inputs, 300), nn.Linear(300, 100), nn.Linear(100, outputs)

    def forward(self, x):
        x = F.relu(self.fc1(x.flatten(1)))
        return self.fc3(F.relu(self.fc2(x)))


class Cnn(nn.Module):
    """prunelab's small CNN (crates/prunelab-models/src/cnn.rs)."""

    def __init__(self, channels=1, size=28, outputs=10):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, 32, 3, padding=1)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1)
        self.fc1 = nn.Linear(64 * (size // 4) ** 2, 128)
        self.fc2 = nn.Linear(128, outputs)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc2(F.relu(self.fc1(x.flatten(1))))


def vit_b_16(size, outputs):
    """torchvision's vit_b_16 architecture (no weights) for `size` x `size` images."""
    return torchvision.models.VisionTransformer(
        image_size=size, patch_size=16, num_layers=12, num_heads=12, hidden_dim=768, mlp_dim=3072, num_classes=outputs
    )


def count(name, model, input_shape, classes):
    params = sum(p.numel() for p in model.parameters())
    model.train()  # keeps torch's fused attention fast path (not counted by FlopCounterMode) off
    x = torch.randn(1, *input_shape)
    with FlopCounterMode(display=False) as counter:
        model(x)
    flops = counter.get_total_flops()
    print(json.dumps({"model": name, "input": list(input_shape), "classes": classes, "parameters": params, "macs": flops // 2}))


def main():
    torch.manual_seed(0)
    cifar = (3, 32, 32)
    count("lenet300", Lenet300(), (1, 28, 28), 10)
    count("cnn", Cnn(), (1, 28, 28), 10)
    count("resnet20", CifarResNet(20, 10), cifar, 10)
    count("resnet56", CifarResNet(56, 10), cifar, 10)
    count("vgg19", OpenLthVgg(10), cifar, 10)
    count("vgg19 (kuangliu)", KuangliuVgg(10), cifar, 10)
    count("vgg19", OpenLthVgg(100), cifar, 100)
    count("densenet40", DenseNet(outputs=100), cifar, 100)
    count("densenet40", DenseNet(outputs=10), cifar, 10)
    count("densenet40 (24 initial channels)", DenseNet(initial=24, outputs=100), cifar, 100)
    count("mobilenetv2", MobileNetV2(100), cifar, 100)
    count("mobilenetv2", MobileNetV2(10), cifar, 10)
    count("resnet18", ResNet18(10), cifar, 10)
    count("resnet18", ResNet18(100), cifar, 100)
    count("resnet50", torchvision.models.resnet50(), (3, 224, 224), 1000)
    count("resnet50", torchvision.models.resnet50(), (3, 64, 64), 1000)
    count("vit-b16", vit_b_16(224, 1000), (3, 224, 224), 1000)
    count("vit-b16", vit_b_16(384, 10), (3, 384, 384), 10)
    count("vit-b16", vit_b_16(32, 10), (3, 32, 32), 10)


if __name__ == "__main__":
    main()
