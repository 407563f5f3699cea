"""The classic CNNs side by side: LeNet-5, AlexNet, VGG-16, GoogLeNet, ResNet-18/50 and DenseNet-121 built from
``gradbook.models`` — parameters against torchvision's published counts, multiply-adds at 224x224, where the
parameters sit, which of them follow the notes' CONV-ReLU-POOL-FC template — and small members of the families
trained the same way on the embedded digits."""
from __future__ import annotations

import numpy as np

from ... import backend
from ...analysis import conv_params, count_params, fc_params, flops, trace
from ...models import LeNet5, alexnet, densenet121, densenet_cifar, googlenet, resnet18, resnet50, vgg16
from ...models.cifar_resnet import CifarResNet
from ..entry import Entry
from ..result import Result
from ._small_nets import digits_images, scores, train_net
from .resnext_densenet_dpn import macs_224_from

# torchvision's documented parameter counts (1000 classes); LeNet-5's is the usual figure for 10 classes
PUBLISHED = {"LeNet-5": 61_706, "AlexNet": 61_100_840, "VGG-16": 138_357_544, "GoogLeNet": 6_624_904,
             "ResNet-18": 11_689_512, "ResNet-50": 25_557_032, "DenseNet-121": 7_978_856}
YEAR = {"LeNet-5": 1998, "AlexNet": 2012, "VGG-16": 2014, "GoogLeNet": 2014, "ResNet-18": 2015, "ResNet-50": 2015,
        "DenseNet-121": 2017}
VGG16_CFG = (64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M")
SCALED_FROM_32 = ("VGG-16", "GoogLeNet", "ResNet-18", "ResNet-50", "DenseNet-121")
TEMPLATE_KINDS = {"Conv2d", "ReLU", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d", "Linear", "Dropout", "Flatten"}
LR = 1e-2


def vgg16_by_formula() -> tuple[int, int, int, int]:
    """VGG-16 (configuration D) counted from its layer table: (parameters, multiply-adds at 224x224, weighted layers,
    parameters of the fully connected layers)."""
    params = macs = layers = 0
    c_in, size = 3, 224
    for v in VGG16_CFG:
        if v == "M":
            size //= 2
            continue
        params += conv_params(c_in, v, 3)
        macs += size * size * c_in * v * 9
        c_in, layers = v, layers + 1
    fc = fc_params([512 * 7 * 7, 4096, 4096, 1000])
    return params + fc, macs + 512 * 49 * 4096 + 4096 * 4096 + 4096 * 1000, layers + 3, fc


def follows_template(records) -> bool:
    """The notes' CNN = INPUT → [[CONV → ReLU]·a → POOL]·c → FC·d: every leaf layer is of those kinds (plus flatten
    and dropout), and each takes exactly what the previous one gave (no branches, additions or concatenations)."""
    if any(rec.kind not in TEMPLATE_KINDS for rec in records):
        return False
    return all(np.prod(a.output_shape) == np.prod(b.input_shape) for a, b in zip(records, records[1:]))


def imagenet_models(quick: bool) -> dict[str, tuple]:
    """name → (model or None, input shape); VGG-16 (138M weights, slow to draw) is built in full mode only."""
    return {"LeNet-5": (LeNet5(), (1, 28, 28)), "AlexNet": (alexnet(), (3, 224, 224)),
            "VGG-16": (None if quick else vgg16(), (3, 224, 224)),
            "GoogLeNet": (googlenet(aux_logits=False), (3, 224, 224)), "ResNet-18": (resnet18(), (3, 224, 224)),
            "ResNet-50": (resnet50(), (3, 224, 224)), "DenseNet-121": (densenet121(), (3, 224, 224))}


def digits_for_lenet(X: np.ndarray) -> np.ndarray:
    """8x8 digits → 28x28: each pixel repeated 3x3 (24x24), then 2 pixels of zeros around."""
    big = np.kron(X, np.ones((1, 1, 3, 3), X.dtype))
    return np.pad(big, ((0, 0), (0, 0), (2, 2), (2, 2)))


def three_channels(X: np.ndarray) -> np.ndarray:
    return np.repeat(X, 3, axis=1)


def small_family(quick: bool) -> dict[str, tuple]:
    """name → (constructor, input transform): LeNet-5 on 28x28, the CIFAR ResNet-8 (and, in full mode,
    DenseNet-BC-22) on the 8x8 digits repeated on 3 channels."""
    nets = {"LeNet-5": (LeNet5, digits_for_lenet), "ResNet-8": (lambda: CifarResNet(1), three_channels)}
    if not quick:
        nets["DenseNet-BC-22"] = (lambda: densenet_cifar(22, 12, True, 0.5), three_channels)
    return nets


def compute(quick: bool) -> Result:
    r = Result()
    n_ = r.numbers
    backend.manual_seed(0)
    rows, matches, template = [], {}, {}
    for name, (model, shape) in imagenet_models(quick).items():
        key = name.lower().replace("-", "")
        if model is None:
            params, macs, depth, fc = vgg16_by_formula()
            how = "counted from the layer table (built in full mode)"
            template[name] = None
        else:
            # nets whose every map at 224 is 7x7 times its size at 32 are traced at 32 (macs_224_from scales them)
            scaled = name in SCALED_FROM_32
            records = trace(model, (3, 32, 32) if scaled else shape)
            params, depth = count_params(model), sum(rec.kind in ("Conv2d", "Linear") for rec in records)
            fc = sum(rec.params for rec in records if rec.kind == "Linear")
            macs = macs_224_from(records) if scaled else sum(rec.macs for rec in records)
            how = f"count_params({name})"
            template[name] = follows_template(records)
        r.number(f"{key}_params", params, how)
        r.number(f"{key}_macs", macs, f"multiply-adds per image at {shape[1]}x{shape[2]}")
        r.number(f"{key}_fc_share", fc / params, "share of the parameters in fully connected layers")
        matches[name] = params == PUBLISHED[name]
        rows.append([name, YEAR[name], depth, params, PUBLISHED[name], macs, fc / params,
                     "—" if template[name] is None else "yes" if template[name] else "no"])
    r.table("Classic CNNs (1000 classes; LeNet-5: 10 classes on 28x28)",
            ["model", "year", "conv + FC layers", "parameters", "torchvision / usual count", "multiply-adds",
             "in FC layers", "CONV-ReLU-POOL-FC chain"], rows)
    r.number("matched", sum(matches.values()))
    r.number("compared", len(matches))
    checked = [k for k, v in template.items() if v is not None]
    r.number("template_fits", ", ".join(k for k in checked if template[k]))
    r.number("template_misses", ", ".join(k for k in checked if not template[k]))

    Xtr, ytr, Xte, yte = digits_images()
    n_train, steps = (128, 20) if quick else (600, 60)
    acc_rows, accs = [], []
    for name, (build, prep) in small_family(quick).items():
        key = name.lower().replace("-", "")
        backend.manual_seed(0)
        model = build()
        X = prep(Xtr[:n_train])
        train_net(model, X, ytr[:n_train], steps, lr=LR, seed=0)
        r.number(f"acc_{key}", scores(model, prep(Xte), yte)[0], f"test accuracy of {name} on the digits")
        r.number(f"small_{key}_params", count_params(model))
        r.number(f"small_{key}_macs", flops(model, X.shape[1:])["total"])
        acc_rows.append([name, n_[f"small_{key}_params"], n_[f"small_{key}_macs"], n_[f"acc_{key}"]])
        accs.append(f"{name} {n_[f'acc_{key}']:.3f}")
    r.number("accuracies", ", ".join(accs))
    r.table(f"Small members trained on the digits ({n_train} images, {steps} full-batch Adam steps, lr {LR})",
            ["model", "parameters", "multiply-adds per image", "test accuracy"], acc_rows)
    r.number("n_train", n_train)
    r.number("steps", steps)

    r.check("published-counts", n_["matched"] == n_["compared"])
    fits = [template[k] for k in checked]
    r.verdict("cnn-template", "confirmed" if all(fits) else "corrected" if not any(fits) else "depends")
    r.condition("Parameters of freshly built models (VGG-16 from its layer table in quick mode); multiply-adds of "
                "convolutions and linear layers at 224x224 (LeNet-5 at 28x28). Digits: one seed, a short budget; "
                "the ranking of the small nets can change with both.")

    import matplotlib.pyplot as plt
    names = [row[0] for row in rows if row[0] != "LeNet-5"]
    fig, ax = plt.subplots(figsize=(5.6, 3.4))
    for name in names:
        key = name.lower().replace("-", "")
        x, y = n_[f"{key}_macs"] / 1e9, n_[f"{key}_params"] / 1e6
        ax.scatter(x, y, s=30)
        ax.annotate(f"{name} ({YEAR[name]})", (x, y), fontsize=7, xytext=(4, 2), textcoords="offset points")
    ax.set(xscale="log", yscale="log", xlabel="multiply-adds at 224x224 (G)", ylabel="parameters (M)",
           title="Classic CNNs: weights against computation")
    ax.title.set_fontsize(9)
    fig.tight_layout()
    r.figure("classic_cnns_cost", fig, "AlexNet and VGG keep most weights in their FC layers; later nets do not.")
    return r


ENTRY = Entry(
    id="classic-cnns",
    section="C",
    title={"zh": "经典 CNN：LeNet、AlexNet、VGG、GoogLeNet、ResNet、DenseNet", "en": "Classic CNNs"},
    keywords=["lenet", "alexnet", "vgg", "googlenet", "resnet", "densenet", "经典", "classic", "cnn", "参数量"],
    claims={
        "published-counts": {
            "en": "The notes list the classic CNNs (\"LeNet, AlexNet, VGG, GoogLeNet, ResNet, DenseNet\"); their usual "
                  "parameter counts (torchvision's published figures, LeNet-5's 61,706) hold for these builds.",
            "zh": "笔记列出的经典 CNN：LeNet, AlexNet, VGG, GoogLeNet, ResNet, DenseNet；它们常被引用的参数量（torchvision "
                  "公布的数字，LeNet-5 的 61,706）与这里构建的模型一致。"},
        "cnn-template": {
            "en": "The notes: \"CNN=数据输入层+{[卷积计算层*a+ReLU激励层]*b+池化层}*c+全连接层*d\" — a CNN is input, "
                  "then [[CONV·a + ReLU]·b + POOL]·c, then FC·d.",
            "zh": "笔记原文：CNN=数据输入层 (Input Layer)+ {[卷积计算层(CONV Layer)*a +ReLU激励层 (ReLU Layer)]*b + 池化层 "
                  "(Pooling Layer)}*c +全连接层 (FC Layer)*d。"},
    },
    answer={
        "en": r"""
Each classic network answered a limitation of the one before:

- **LeNet-5** (1998): two conv + pool stages and three FC layers for 28x28 digits, {=lenet5_params}
  parameters.
- **AlexNet** (2012): the same recipe at ImageNet scale with ReLU, dropout, data augmentation and GPUs:
  {=alexnet_params} parameters, {=alexnet_fc_share:.0%} of them in the FC layers, {=alexnet_macs}
  multiply-adds per image.
- **VGG-16** (2014): only 3x3 convs and 2x2 pools, deeper: {=vgg16_params} parameters
  ({=vgg16_fc_share:.0%} in the FC layers), {=vgg16_macs} multiply-adds.
- **GoogLeNet** (2014): Inception modules (parallel 1x1/3x3/5x5 branches with 1x1 reductions) and a global
  average pool instead of big FC layers: {=googlenet_params} parameters, {=googlenet_macs} multiply-adds.
- **ResNet** (2015): shortcuts $y = F(x) + x$ make 50–150 layers trainable: ResNet-18 {=resnet18_params},
  ResNet-50 {=resnet50_params} parameters ({=resnet50_macs} multiply-adds).
- **DenseNet** (2017): each layer receives the concatenation of all earlier ones; DenseNet-121 has
  {=densenet121_params} parameters and {=densenet121_macs} multiply-adds.

{=matched} of the {=compared} parameter counts equal the published figures (table). Accuracy at
ImageNet scale cannot be retrained here; small members of the families trained the same way on the
embedded digits reach {=accuracies} ({=n_train} images, {=steps} steps).

The notes' template — input, [[CONV·a + ReLU]·b + POOL]·c, FC·d — describes the early chains only:
checked on the built models layer by layer, it fits {=template_fits} and not {=template_misses}
(BN, parallel branches, additions and concatenations are outside it). The trend is visible in the
table: weights moved out of the FC layers and into depth, and computation per parameter rose.
""",
        "zh": r"""
每个经典网络都在回应前一个的局限：

- **LeNet-5**（1998）：两个卷积+池化阶段加三个全连接层，处理 28x28 的数字，{=lenet5_params} 个参数。
- **AlexNet**（2012）：同样的配方放到 ImageNet 规模，加上 ReLU、dropout、数据增强和 GPU：{=alexnet_params} 个参数，
  其中 {=alexnet_fc_share:.0%} 在全连接层，每张图 {=alexnet_macs} 次乘加。
- **VGG-16**（2014）：只用 3x3 卷积和 2x2 池化，更深：{=vgg16_params} 个参数（{=vgg16_fc_share:.0%} 在全连接层），
  {=vgg16_macs} 次乘加。
- **GoogLeNet**（2014）：Inception 模块（并行的 1x1/3x3/5x5 分支加 1x1 降维），用全局平均池化代替大的全连接层：
  {=googlenet_params} 个参数，{=googlenet_macs} 次乘加。
- **ResNet**（2015）：旁路 $y = F(x) + x$ 让 50–150 层的网络可以训练：ResNet-18 {=resnet18_params} 个参数，ResNet-50
  {=resnet50_params} 个（{=resnet50_macs} 次乘加）。
- **DenseNet**（2017）：每一层接收之前所有层输出的拼接；DenseNet-121 有 {=densenet121_params} 个参数、
  {=densenet121_macs} 次乘加。

{=compared} 个参数量中有 {=matched} 个与公布的数字相同（见表）。ImageNet 规模的精度无法在这里重训；这些家族的小成员用同样方式在
内置 digits 上训练（{=n_train} 张图片，{=steps} 步），测试准确率为 {=accuracies}。

笔记的模板——输入、[[CONV·a + ReLU]·b + POOL]·c、FC·d——只描述了早期的链式网络：在构建好的模型上逐层检查，符合的是
{=template_fits}，不符合的是 {=template_misses}（BN、并行分支、相加与拼接都在模板之外）。表中的趋势也很清楚：参数从全连接层
移到了深度上，每个参数对应的计算量越来越大。
""",
    },
    compute=compute,
)
