"""The ready-made training runs behind ``gradbook train`` / ``gradbook evaluate``: datasets by
name, a validation split held out of the training data, models by name, and the saved model file
(weights plus what is needed to rebuild the model)."""
from __future__ import annotations

import os
from dataclasses import dataclass, replace

import numpy as np

LENET_SIZE = 28


@dataclass
class Data:
    name: str
    train: object
    test: object
    in_channels: int
    size: int
    num_classes: int
    val: object = None  # held out of the training data by hold_out_validation


def to_lenet_size(x: np.ndarray) -> np.ndarray:
    """LeNet-5 takes 28x28 images: smaller ones are upscaled (nearest neighbour, whole factor) and
    zero-padded, larger ones centre-cropped. Shapes (N, C, H, W) -> (N, C, 28, 28)."""
    h = x.shape[-1]
    if h == LENET_SIZE:
        return x
    if h < LENET_SIZE:
        k = LENET_SIZE // h
        x = x.repeat(k, axis=-2).repeat(k, axis=-1)
        lo = (LENET_SIZE - x.shape[-1]) // 2
        hi = LENET_SIZE - x.shape[-1] - lo
        return np.pad(x, ((0, 0), (0, 0), (lo, hi), (lo, hi)))
    lo = (h - LENET_SIZE) // 2
    return np.ascontiguousarray(x[..., lo:lo + LENET_SIZE, lo:lo + LENET_SIZE])


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
    """The dataset as the model takes it (LeNet: 28x28)."""
    from ..data import TensorDataset

    if model_name != "lenet" or d.size == LENET_SIZE:
        return d
    train = TensorDataset(to_lenet_size(d.train.tensors[0]), d.train.tensors[1])
    test = TensorDataset(to_lenet_size(d.test.tensors[0]), d.test.tensors[1])
    return Data(d.name, train, test, d.in_channels, LENET_SIZE, d.num_classes)


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
    raise ValueError(f"unknown model {name!r}: expected lenet or mlp")


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
