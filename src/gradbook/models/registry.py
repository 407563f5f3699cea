"""``list_models()`` and ``get_model(name, **kwargs)``: the model builders by name, as torchvision's
``torchvision.models.list_models`` / ``get_model`` (ImageNet models under torchvision's names, the
CIFAR ResNets as ``resnet20`` ..., the models built from their papers and the other CIFAR-scale
networks)."""
from __future__ import annotations

import difflib
from typing import Any, Callable

from ..nn.module import Module
from .alexnet import alexnet
from .cifar_resnet import resnet20, resnet32, resnet44, resnet56, resnet110
from .densenet import densenet121, densenet161, densenet169, densenet201
from .densenet_cifar import densenet_bc_40, densenet_cifar
from .dpn import dpn26, dpn92
from .googlenet import googlenet
from .inception import inception_v3
from .inception_v4 import inception_v4
from .mobilenet_v1 import mobilenet_v1
from .mobilenet_v2_cifar import mobilenet_v2_cifar
from .mobilenetv2 import mobilenet_v2
from .preact_resnet import preact_resnet18, preact_resnet20
from .resnext_cifar import resnext_cifar
from .resnet import (resnet18, resnet34, resnet50, resnet101, resnet152, resnext50_32x4d, resnext101_32x8d,
                     wide_resnet50_2, wide_resnet101_2)
from .shufflenet_v1 import shufflenet_v1
from .shufflenetv2 import shufflenet_v2_x0_5, shufflenet_v2_x1_0, shufflenet_v2_x1_5, shufflenet_v2_x2_0
from .squeezenet import squeezenet1_0, squeezenet1_1
from .vgg import vgg11, vgg11_bn, vgg13, vgg13_bn, vgg16, vgg16_bn, vgg19, vgg19_bn
from .vgg_cifar import vgg_cifar
from .xception import xception

_BUILDERS: dict[str, Callable[..., Module]] = {builder.__name__: builder for builder in (
    alexnet,
    resnet18, resnet34, resnet50, resnet101, resnet152, resnext50_32x4d, resnext101_32x8d,
    wide_resnet50_2, wide_resnet101_2,
    vgg11, vgg11_bn, vgg13, vgg13_bn, vgg16, vgg16_bn, vgg19, vgg19_bn,
    squeezenet1_0, squeezenet1_1, googlenet, inception_v3, densenet121, densenet161, densenet169, densenet201,
    mobilenet_v2, shufflenet_v2_x0_5, shufflenet_v2_x1_0, shufflenet_v2_x1_5, shufflenet_v2_x2_0,
    resnet20, resnet32, resnet44, resnet56, resnet110,
    # from their papers (torchvision lacks them)
    preact_resnet18, dpn26, dpn92, xception, mobilenet_v1, shufflenet_v1, inception_v4,
    # CIFAR scale
    preact_resnet20, densenet_bc_40, densenet_cifar, mobilenet_v2_cifar, vgg_cifar, resnext_cifar)}

CIFAR_MODELS = ("resnet20", "resnet32", "resnet44", "resnet56", "resnet110", "preact_resnet20", "densenet_bc_40",
                "densenet_cifar", "mobilenet_v2_cifar", "vgg_cifar", "resnext_cifar")
"""The models built for 32x32 images (the rest take ImageNet-sized ones)."""

def list_models() -> list[str]:
    """The names ``get_model`` accepts, sorted."""
    return sorted(_BUILDERS)


def get_model(name: str, **kwargs: Any) -> Module:
    """A new model: ``get_model("resnet18", num_classes=10)`` is ``resnet18(num_classes=10)``."""
    builder = _BUILDERS.get(name.lower()) if isinstance(name, str) else None
    if builder is None:
        close = difflib.get_close_matches(str(name), _BUILDERS, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else f"; known: {', '.join(list_models())}"
        raise ValueError(f"get_model: unknown model {name!r}{hint}")
    return builder(**kwargs)
