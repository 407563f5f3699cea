"""Torch twins of the paper-built blocks (``gradbook.models`` preact_resnet, dpn, xception,
mobilenet_v1, shufflenet_v1, inception_v4, densenet_cifar, resnext_cifar), written here from the
papers' figures with the same parameter names, and :func:`assert_twin_outputs`, which copies the
twin's weights into the gradbook module and compares eval-mode outputs."""
from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

import gradbook as gb
from gradbook import models


def assert_twin_outputs(ours, twin: nn.Module, input_shape, seed: int = 0, rtol: float = 1e-4) -> None:
    """Random BN statistics and affine terms in the twin, the same names and shapes in the same
    order, the twin's weights loaded strictly, and equal outputs in eval mode."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in twin.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.copy_(torch.rand(m.num_features, generator=gen) - 0.5)
                m.running_var.copy_(0.5 + torch.rand(m.num_features, generator=gen))
                m.weight.copy_(0.5 + torch.rand(m.num_features, generator=gen))
                m.bias.copy_(torch.rand(m.num_features, generator=gen) - 0.5)
    twin.eval()
    assert [(k, tuple(v.shape)) for k, v in ours.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in twin.state_dict().items()]
    models.load_torch_state_dict(ours, twin.state_dict())
    x = np.random.default_rng(seed).standard_normal(input_shape).astype(np.float32)
    with torch.no_grad():
        ref = twin(torch.from_numpy(x)).numpy()
    with gb.no_grad():
        out = ours.eval()(gb.tensor(x)).data
    assert out.shape == ref.shape
    np.testing.assert_allclose(out, ref, rtol=rtol, atol=rtol * np.abs(ref).max())


def bn_relu(x, bn):
    return F.relu(bn(x))


class PreActBlock(nn.Module):
    """He et al. 2016b, Fig. 4(e): full pre-activation."""

    def __init__(self, cin, cout, stride, shortcut):
        super().__init__()
        self.bn1, self.conv1 = nn.BatchNorm2d(cin), nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn2, self.conv2 = nn.BatchNorm2d(cout), nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.kind, self.stride, self.extra = shortcut, stride, cout - cin
        if shortcut == "projection" and (stride != 1 or cin != cout):
            self.shortcut = nn.Conv2d(cin, cout, 1, stride, bias=False)

    def forward(self, x):
        pre = bn_relu(x, self.bn1)
        if hasattr(self, "shortcut"):
            skip = self.shortcut(pre)
        elif self.stride != 1 or self.extra:
            half = self.extra // 2
            skip = F.pad(x[:, :, ::self.stride, ::self.stride], (0, 0, 0, 0, half, self.extra - half))
        else:
            skip = x
        return skip + self.conv2(bn_relu(self.conv1(pre), self.bn2))


class BnReluConv(nn.Module):
    def __init__(self, cin, cout, k, stride=1, groups=1):
        super().__init__()
        self.bn, self.conv = nn.BatchNorm2d(cin), nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=False)

    def forward(self, x):
        return self.conv(bn_relu(x, self.bn))


class DualPathBlock(nn.Module):
    """Chen et al. 2017, Fig. 2(e): residual channels added, dense channels concatenated."""

    def __init__(self, cin, mid, out, inc, groups, stride, projection):
        super().__init__()
        self.out = out
        if projection:
            self.proj = BnReluConv(cin, out + 2 * inc, 1, stride)
        self.conv1, self.conv2 = BnReluConv(cin, mid, 1), BnReluConv(mid, mid, 3, stride, groups)
        self.conv3 = BnReluConv(mid, out + inc, 1)

    def forward(self, x):
        s = self.proj(x) if hasattr(self, "proj") else x
        h = self.conv3(self.conv2(self.conv1(x)))
        res = s[:, :self.out] + h[:, :self.out]
        return torch.cat([res, s[:, self.out:], h[:, self.out:]], 1)


class SeparableConv2d(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.depthwise = nn.Conv2d(cin, cin, 3, 1, 1, groups=cin, bias=False)
        self.pointwise = nn.Conv2d(cin, cout, 1, bias=False)

    def forward(self, x):
        return self.pointwise(self.depthwise(x))


class XceptionBlock(nn.Module):
    """Chollet 2017, Fig. 5: (ReLU, separable conv, BN) x reps, a max pool when strided, plus the shortcut."""

    def __init__(self, cin, cout, reps, stride, start_with_relu=True, grow_first=True):
        super().__init__()
        if cin != cout or stride != 1:
            self.skip, self.skipbn = nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout)
        widths = [cin] + ([cout] * reps if grow_first else [cin] * (reps - 1) + [cout])
        layers = []
        for i in range(reps):
            layers += [nn.ReLU() if i or start_with_relu else nn.Identity(), SeparableConv2d(widths[i], widths[i + 1]),
                       nn.BatchNorm2d(widths[i + 1])]
        if stride != 1:
            layers.append(nn.MaxPool2d(3, stride, 1))
        self.rep = nn.Sequential(*layers)

    def forward(self, x):
        return self.rep(x) + (self.skipbn(self.skip(x)) if hasattr(self, "skip") else x)


def conv_bn_relu(cin, cout, k, stride=1, groups=1):
    return nn.Sequential(nn.Conv2d(cin, cout, k, stride, (k - 1) // 2, groups=groups, bias=False),
                         nn.BatchNorm2d(cout), nn.ReLU())


class ShuffleUnit(nn.Module):
    """Zhang et al. 2017, Fig. 2(b, c)."""

    def __init__(self, cin, cout, groups, stride, group_first=True):
        super().__init__()
        mid, branch = cout // 4, (cout - cin if stride == 2 else cout)
        self.groups, self.stride = groups, stride
        self.conv1 = nn.Conv2d(cin, mid, 1, groups=groups if group_first else 1, bias=False)
        self.bn1 = nn.BatchNorm2d(mid)
        self.conv2 = nn.Conv2d(mid, mid, 3, stride, 1, groups=mid, bias=False)
        self.bn2 = nn.BatchNorm2d(mid)
        self.conv3 = nn.Conv2d(mid, branch, 1, groups=groups, bias=False)
        self.bn3 = nn.BatchNorm2d(branch)

    def forward(self, x):
        h = bn_relu(self.conv1(x), self.bn1)
        n, c, hh, ww = h.shape
        h = h.view(n, self.groups, c // self.groups, hh, ww).transpose(1, 2).reshape(n, c, hh, ww)
        h = self.bn3(self.conv3(self.bn2(self.conv2(h))))
        if self.stride == 2:
            return F.relu(torch.cat([F.avg_pool2d(x, 3, 2, 1), h], 1))
        return F.relu(x + h)


class BasicConv2d(nn.Module):
    def __init__(self, cin, cout, kernel, stride=1, padding=None):
        super().__init__()
        kh, kw = (kernel, kernel) if isinstance(kernel, int) else kernel
        padding = ((kh - 1) // 2, (kw - 1) // 2) if padding is None else padding
        self.conv = nn.Conv2d(cin, cout, (kh, kw), stride, padding, bias=False)
        self.bn = nn.BatchNorm2d(cout, eps=0.001)

    def forward(self, x):
        return F.relu(self.bn(self.conv(x)))


def chain(cin, *specs):
    """Convs from the figures: (out, kernel) keeps the size; (out, kernel, "V") is a valid 3x3/2 conv
    unless the stride is given as a fourth item."""
    layers = []
    for spec in specs:
        if len(spec) > 2:
            layers.append(BasicConv2d(cin, spec[0], spec[1], spec[3] if len(spec) > 3 else 2, 0))
        else:
            layers.append(BasicConv2d(cin, spec[0], spec[1]))
        cin = spec[0]
    return nn.Sequential(*layers)


def pool_proj(cin, out):
    return nn.Sequential(nn.AvgPool2d(3, 1, 1, count_include_pad=False), BasicConv2d(cin, out, 1))


class Branches(nn.Module):
    def __init__(self, *branches):
        super().__init__()
        for i, b in enumerate(branches):
            setattr(self, f"branch{i}", b)
        self.n = len(branches)

    def forward(self, x):
        return torch.cat([getattr(self, f"branch{i}")(x) for i in range(self.n)], 1)


class InceptionStem(nn.Module):
    """Szegedy et al. 2016, Fig. 3."""

    def __init__(self):
        super().__init__()
        self.conv = chain(3, (32, 3, "V"), (32, 3, "V", 1), (64, 3))
        self.pool1, self.conv1 = nn.MaxPool2d(3, 2), chain(64, (96, 3, "V"))
        self.branch2a = chain(160, (64, 1), (96, 3, "V", 1))
        self.branch2b = chain(160, (64, 1), (64, (7, 1)), (64, (1, 7)), (96, 3, "V", 1))
        self.conv3, self.pool3 = chain(192, (192, 3, "V")), nn.MaxPool2d(3, 2)

    def forward(self, x):
        x = self.conv(x)
        x = torch.cat([self.pool1(x), self.conv1(x)], 1)
        x = torch.cat([self.branch2a(x), self.branch2b(x)], 1)
        return torch.cat([self.conv3(x), self.pool3(x)], 1)


def inception_a(cin=384):  # Fig. 4
    return Branches(pool_proj(cin, 96), chain(cin, (96, 1)), chain(cin, (64, 1), (96, 3)),
                    chain(cin, (64, 1), (96, 3), (96, 3)))


def reduction_a(cin=384, k=192, l=224, m=256, n=384):  # Fig. 7
    return Branches(nn.MaxPool2d(3, 2), chain(cin, (n, 3, "V")), chain(cin, (k, 1), (l, 3), (m, 3, "V")))


def inception_b(cin=1024):  # Fig. 5
    return Branches(pool_proj(cin, 128), chain(cin, (384, 1)), chain(cin, (192, 1), (224, (1, 7)), (256, (7, 1))),
                    chain(cin, (192, 1), (192, (7, 1)), (224, (1, 7)), (224, (7, 1)), (256, (1, 7))))


def reduction_b(cin=1024):  # Fig. 8
    return Branches(nn.MaxPool2d(3, 2), chain(cin, (192, 1), (192, 3, "V")),
                    chain(cin, (256, 1), (256, (1, 7)), (320, (7, 1)), (320, 3, "V")))


class InceptionC(nn.Module):
    """Fig. 6."""

    def __init__(self, cin=1536):
        super().__init__()
        self.branch0, self.branch1, self.branch2 = pool_proj(cin, 256), chain(cin, (256, 1)), chain(cin, (384, 1))
        self.branch2a, self.branch2b = chain(384, (256, (1, 3))), chain(384, (256, (3, 1)))
        self.branch3 = chain(cin, (384, 1), (448, (3, 1)), (512, (1, 3)))
        self.branch3a, self.branch3b = chain(512, (256, (1, 3))), chain(512, (256, (3, 1)))

    def forward(self, x):
        b2, b3 = self.branch2(x), self.branch3(x)
        return torch.cat([self.branch0(x), self.branch1(x), self.branch2a(b2), self.branch2b(b2), self.branch3a(b3),
                          self.branch3b(b3)], 1)


class ResidualInception(Branches):
    """Figs. 16, 17, 19: ReLU(x + scale · linear 1x1(cat(branches)))."""

    def __init__(self, cin, branches, concat, scale, activation=True):
        super().__init__(*branches)
        self.conv = nn.Conv2d(concat, cin, 1)
        self.scale, self.activation = scale, activation

    def forward(self, x):
        y = x + self.scale * self.conv(super().forward(x))
        return F.relu(y) if self.activation else y


def inception_resnet_a(cin=320, scale=0.17):
    return ResidualInception(cin, [chain(cin, (32, 1)), chain(cin, (32, 1), (32, 3)),
                                   chain(cin, (32, 1), (48, 3), (64, 3))], 128, scale)


def inception_resnet_b(cin=1088, scale=0.10):
    return ResidualInception(cin, [chain(cin, (192, 1)), chain(cin, (128, 1), (160, (1, 7)), (192, (7, 1)))], 384,
                             scale)


def inception_resnet_c(cin=2080, scale=0.20, activation=True):
    return ResidualInception(cin, [chain(cin, (192, 1)), chain(cin, (192, 1), (224, (1, 3)), (256, (3, 1)))], 448,
                             scale, activation)


def reduction_resnet_b(cin=1088):  # Fig. 18
    return Branches(nn.MaxPool2d(3, 2), chain(cin, (256, 1), (384, 3, "V")), chain(cin, (256, 1), (288, 3, "V")),
                    chain(cin, (256, 1), (288, 3), (320, 3, "V")))


class ResNeXtBlock(nn.Module):
    """Xie et al. 2017, Fig. 3(c)."""

    def __init__(self, cin, width, cout, cardinality, stride):
        super().__init__()
        self.conv_reduce, self.bn_reduce = nn.Conv2d(cin, width, 1, bias=False), nn.BatchNorm2d(width)
        self.conv_conv = nn.Conv2d(width, width, 3, stride, 1, groups=cardinality, bias=False)
        self.bn = nn.BatchNorm2d(width)
        self.conv_expand, self.bn_expand = nn.Conv2d(width, cout, 1, bias=False), nn.BatchNorm2d(cout)
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        h = bn_relu(self.conv_reduce(x), self.bn_reduce)
        h = self.bn_expand(self.conv_expand(bn_relu(self.conv_conv(h), self.bn)))
        return F.relu((self.shortcut(x) if hasattr(self, "shortcut") else x) + h)


class PlainDenseLayer(nn.Module):
    """Huang et al. 2017: BN → ReLU → 3x3 conv of the concatenated inputs."""

    def __init__(self, cin, k):
        super().__init__()
        self.norm, self.relu, self.conv = nn.BatchNorm2d(cin), nn.ReLU(), nn.Conv2d(cin, k, 3, 1, 1, bias=False)

    def forward(self, x):
        return self.conv(self.relu(self.norm(x)))
