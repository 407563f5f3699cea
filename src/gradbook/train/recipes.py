"""The ready-made training runs behind ``gradbook train`` / ``gradbook evaluate``: datasets by
name, a validation split held out of the training data, models by name (LeNet-5, an MLP, and the
CIFAR-scale networks of ``gradbook.models``, which take 3x32x32 images normalised per channel,
with pad-4 random crops and horizontal flips while training), and the saved model file (weights
plus what is needed to rebuild the model and its input normalisation)."""
from __future__ import annotations

import os
from dataclasses import dataclass, replace

import numpy as np

LENET_SIZE = 28
CIFAR_SIZE = 32


@dataclass
class Data:
    name: str
    train: object
    test: object
    in_channels: int
    size: int
    num_classes: int
    val: object = None  # held out of the training data by hold_out_validation
    mean: object = None  # per-channel statistics of the training images, when standardised
    std: object = None


def is_cifar_model(name: str) -> bool:
    from ..models.registry import CIFAR_MODELS

    return name in CIFAR_MODELS


def to_size(x: np.ndarray, size: int) -> np.ndarray:
    """Square images to ``size`` x ``size``: smaller ones are upscaled (nearest neighbour, whole
    factor) and zero-padded, larger ones centre-cropped. Shapes (N, C, H, W) -> (N, C, size, size)."""
    h = x.shape[-1]
    if h == size:
        return x
    if h < size:
        k = size // h
        x = x.repeat(k, axis=-2).repeat(k, axis=-1)
        lo = (size - x.shape[-1]) // 2
        hi = size - x.shape[-1] - lo
        return np.pad(x, ((0, 0), (0, 0), (lo, hi), (lo, hi)))
    lo = (h - size) // 2
    return np.ascontiguousarray(x[..., lo:lo + size, lo:lo + size])


def to_lenet_size(x: np.ndarray) -> np.ndarray:
    """LeNet-5 takes 28x28 images (see :func:`to_size`)."""
    return to_size(x, LENET_SIZE)


def to_cifar_shape(x: np.ndarray) -> np.ndarray:
    """The CIFAR-scale models take 3x32x32 images: grey images are repeated over three channels,
    then resized by :func:`to_size`. (N, 1 or 3, H, W) -> (N, 3, 32, 32)."""
    if x.shape[1] == 1:
        x = np.repeat(x, 3, axis=1)
    return to_size(x, CIFAR_SIZE)


def load_dataset(spec: str) -> Data:
    """``mnist-sample`` | ``digits`` | ``idx:TRAIN_IMAGES,TRAIN_LABELS,TEST_IMAGES,TEST_LABELS`` |
    ``cifar10:DIR``."""
    from .. import data

    if spec == "mnist-sample":
        train, test = data.mnist_sample()
    elif spec == "digits":
        train, test = data.digits()
    elif spec.startswith("idx:"):
        paths = spec[4:].split(",")
        if len(paths) != 4:
            raise ValueError("--dataset idx: expects four comma-separated files: "
                             f"TRAIN_IMAGES,TRAIN_LABELS,TEST_IMAGES,TEST_LABELS; got {len(paths)}")
        train, test = data.idx_dataset(paths[0], paths[1]), data.idx_dataset(paths[2], paths[3])
    elif spec.startswith("cifar10:"):
        train, test = data.cifar10(spec[len("cifar10:"):])
    else:
        raise ValueError(f"unknown dataset {spec!r}: expected mnist-sample, digits, "
                         "idx:TRAIN_IMAGES,TRAIN_LABELS,TEST_IMAGES,TEST_LABELS or cifar10:DIR")
    x0 = train.tensors[0]
    classes = int(max(train.tensors[1].max(), test.tensors[1].max())) + 1
    return Data(spec, train, test, x0.shape[1], x0.shape[-1], classes)


def prepare(d: Data, model_name: str) -> Data:
    """The dataset as the model takes it (LeNet: 28x28; the CIFAR-scale models: 3x32x32)."""
    from ..data import TensorDataset

    if is_cifar_model(model_name):
        if d.in_channels not in (1, 3):
            raise ValueError(f"{model_name} takes RGB (or grey, repeated) images; {d.name} has "
                             f"{d.in_channels} channels")
        if d.in_channels == 3 and d.size == CIFAR_SIZE:
            return d
        reshape = to_cifar_shape
        channels, size = 3, CIFAR_SIZE
    elif model_name == "lenet" and d.size != LENET_SIZE:
        reshape, channels, size = to_lenet_size, d.in_channels, LENET_SIZE
    else:
        return d
    train = TensorDataset(reshape(d.train.tensors[0]), d.train.tensors[1])
    test = TensorDataset(reshape(d.test.tensors[0]), d.test.tensors[1])
    return Data(d.name, train, test, channels, size, d.num_classes)


def standardize(d: Data, mean=None, std=None) -> Data:
    """Per-channel normalisation x' = (x − mean_c) / std_c of every split, with the statistics of
    the training images (or the ``mean``/``std`` given, e.g. those saved with a model)."""
    from ..data import TensorDataset

    x = d.train.tensors[0]
    if mean is None:
        mean = x.mean(axis=(0, 2, 3), dtype=np.float64)
        std = x.std(axis=(0, 2, 3), dtype=np.float64)
    mean = np.asarray(mean, np.float64).reshape(-1)
    std = np.maximum(np.asarray(std, np.float64).reshape(-1), 1e-8)
    if mean.shape != (x.shape[1],) or std.shape != mean.shape:
        raise ValueError(f"standardize: {x.shape[1]} channels but mean/std of shapes {mean.shape}, {std.shape}")

    def scale(ds):
        if ds is None:
            return None
        xs, ys = ds.tensors
        shift, div = mean.reshape(1, -1, 1, 1), std.reshape(1, -1, 1, 1)
        return TensorDataset(((xs - shift) / div).astype(xs.dtype, copy=False), ys)

    return replace(d, train=scale(d.train), val=scale(d.val), test=scale(d.test), mean=mean, std=std)


def cifar_augmentation():
    """The standard CIFAR augmentation: a random 32x32 crop of the image zero-padded by 4 pixels,
    then a horizontal flip with probability 1/2 (applied per batch by the DataLoader)."""
    from ..data import transforms

    return transforms.Compose([transforms.RandomCrop(CIFAR_SIZE, padding=4), transforms.RandomHorizontalFlip()])


def hold_out_validation(d: Data, fraction: float) -> Data:
    """Move ``fraction`` of the training images to a validation set, so that choosing epochs and
    settings never reads the test set, which stays for the one evaluation at the end.

    The split is stratified (``fraction`` of every class, rounded) and seeded with the packaged
    datasets' ``SPLIT_SEED``: the same rows whatever the training seed, so a resumed run trains on
    the same images. ``fraction`` 0 holds out nothing (``val`` is None).
    """
    from ..data import TensorDataset
    from ..data.datasets import SPLIT_SEED, _stratified_split

    if isinstance(fraction, bool) or not isinstance(fraction, (int, float)) or not 0 <= fraction < 1:
        raise ValueError(f"--val-split must be a fraction of the training data in [0, 1) (0.1 holds out 10%, "
                         f"0 none), got {fraction!r}")
    if fraction == 0:
        return replace(d, val=None)
    x, y = d.train.tensors
    train, val = _stratified_split(y, fraction, SPLIT_SEED)
    if len(val) == 0:
        raise ValueError(f"--val-split {fraction} holds out no image of the {len(y)} training images "
                         f"({fraction:g} of each class, rounded): choose a larger fraction, or 0 for no validation")
    if len(train) == 0:
        raise ValueError(f"--val-split {fraction} leaves no training image of the {len(y)} "
                         f"({fraction:g} of each class, rounded): choose a smaller fraction")
    return replace(d, train=TensorDataset(x[train], y[train]), val=TensorDataset(x[val], y[val]))


def build_model(name: str, in_channels: int, size: int, num_classes: int):
    from .. import models

    if name == "lenet":
        return models.LeNet5(num_classes=num_classes, in_channels=in_channels)
    if name == "mlp":
        return models.MLP([in_channels * size * size, 256, 128, num_classes])
    if is_cifar_model(name):
        if (in_channels, size) != (3, CIFAR_SIZE):
            raise ValueError(f"{name} takes 3x{CIFAR_SIZE}x{CIFAR_SIZE} images, got {in_channels}x{size}x{size}")
        return models.get_model(name, num_classes=num_classes)
    from ..models.registry import CIFAR_MODELS
    raise ValueError(f"unknown model {name!r}: expected lenet, mlp or a CIFAR-scale model ({', '.join(CIFAR_MODELS)})")


def build_optimizer(name: str, params, lr: float):
    from .. import optim

    table = {"sgd": lambda: optim.SGD(params, lr=lr, momentum=0.9), "adam": lambda: optim.Adam(params, lr=lr),
             "adamw": lambda: optim.AdamW(params, lr=lr)}
    if name not in table:
        raise ValueError(f"unknown optimizer {name!r}: expected sgd, adam or adamw")
    return table[name]()


def save_model(path: str, model, model_name: str, d: Data, extra: dict | None = None) -> None:
    """A model file: ``.npz`` (or ``.safetensors``) with the weights and how to rebuild the model."""
    from ..io import save

    config = {"model": model_name, "dataset": d.name, "in_channels": d.in_channels, "size": d.size,
              "num_classes": d.num_classes}
    if d.mean is not None:
        config.update(mean=np.asarray(d.mean), std=np.asarray(d.std))
    save({"kind": "gradbook-model", "config": config, "state_dict": model.state_dict(), **(extra or {})}, path)


def load_model(path: str):
    """Rebuild a model saved by :func:`save_model`; returns ``(model, config)``."""
    from ..io import load

    if not os.path.exists(path):
        raise FileNotFoundError(f"model file {path} does not exist")
    saved = load(path)
    if not isinstance(saved, dict) or saved.get("kind") != "gradbook-model":
        raise ValueError(f"{path} is not a gradbook model file (saved by `gradbook train`)")
    cfg = saved["config"]
    model = build_model(cfg["model"], int(cfg["in_channels"]), int(cfg["size"]), int(cfg["num_classes"]))
    model.load_state_dict(saved["state_dict"])
    return model, cfg
