"""``gradbook.models``: ready-made networks built from ``gradbook.nn``.

* MNIST/CIFAR scale: ``MLP``, ``LeNet5``, the CIFAR ResNets ``resnet20/32/44/56/110``;
* ImageNet shapes under torchvision's names, with torchvision's ``state_dict`` keys, so converted
  torchvision weights load with :func:`load_torch_state_dict`: ``alexnet``, ``vgg11`` ... ``vgg19_bn``,
  ``resnet18`` ... ``resnet152``, ``resnext50_32x4d``, ``resnext101_32x8d``, ``wide_resnet50_2``,
  ``wide_resnet101_2``;
* ``list_models()`` and ``get_model(name, **kwargs)``.
"""
from .alexnet import AlexNet, alexnet
from .cifar_resnet import CifarResNet, ZeroPadShortcut, resnet20, resnet32, resnet44, resnet56, resnet110
from .lenet import LeNet5
from .mlp import MLP
from .registry import get_model, list_models
from .resnet import (BasicBlock, Bottleneck, ResNet, resnet18, resnet34, resnet50, resnet101, resnet152,
                     resnext50_32x4d, resnext101_32x8d, wide_resnet50_2, wide_resnet101_2)
from .torch_weights import load_torch_state_dict
from .vgg import VGG, vgg11, vgg11_bn, vgg13, vgg13_bn, vgg16, vgg16_bn, vgg19, vgg19_bn

__all__ = ["MLP", "LeNet5",
           "AlexNet", "alexnet",
           "VGG", "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn",
           "ResNet", "BasicBlock", "Bottleneck", "resnet18", "resnet34", "resnet50", "resnet101", "resnet152",
           "resnext50_32x4d", "resnext101_32x8d", "wide_resnet50_2", "wide_resnet101_2",
           "CifarResNet", "ZeroPadShortcut", "resnet20", "resnet32", "resnet44", "resnet56", "resnet110",
           "get_model", "list_models", "load_torch_state_dict"]
