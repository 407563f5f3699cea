"""``gradbook.models``: ready-made networks built from ``gradbook.nn``.

* MNIST/CIFAR scale: ``MLP``, ``LeNet5``, the CIFAR ResNets ``resnet20/32/44/56/110``;
* ImageNet shapes under torchvision's names, with torchvision's ``state_dict`` keys, so converted
  torchvision weights load with :func:`load_torch_state_dict`: ``alexnet``, ``vgg11`` ... ``vgg19_bn``,
  ``resnet18`` ... ``resnet152``, ``resnext50_32x4d``, ``resnext101_32x8d``, ``wide_resnet50_2``,
  ``wide_resnet101_2``, ``squeezenet1_0/1_1``, ``googlenet``, ``inception_v3``, ``densenet121/161/169/201``,
  ``mobilenet_v2``, ``shufflenet_v2_x0_5/x1_0/x1_5/x2_0``;
* ``list_models()`` and ``get_model(name, **kwargs)``.
"""
from .alexnet import AlexNet, alexnet
from .cifar_resnet import CifarResNet, ZeroPadShortcut, resnet20, resnet32, resnet44, resnet56, resnet110
from .densenet import DenseNet, densenet121, densenet161, densenet169, densenet201
from .googlenet import GoogLeNet, GoogLeNetOutputs, googlenet
from .inception import Inception3, InceptionOutputs, inception_v3
from .lenet import LeNet5
from .mlp import MLP
from .mobilenetv2 import MobileNetV2, mobilenet_v2
from .registry import get_model, list_models
from .resnet import (BasicBlock, Bottleneck, ResNet, resnet18, resnet34, resnet50, resnet101, resnet152,
                     resnext50_32x4d, resnext101_32x8d, wide_resnet50_2, wide_resnet101_2)
from .shufflenetv2 import ShuffleNetV2, shufflenet_v2_x0_5, shufflenet_v2_x1_0, shufflenet_v2_x1_5, shufflenet_v2_x2_0
from .squeezenet import SqueezeNet, squeezenet1_0, squeezenet1_1
from .torch_weights import load_torch_state_dict
from .vgg import VGG, vgg11, vgg11_bn, vgg13, vgg13_bn, vgg16, vgg16_bn, vgg19, vgg19_bn

__all__ = ["MLP", "LeNet5",
           "AlexNet", "alexnet",
           "VGG", "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn",
           "ResNet", "BasicBlock", "Bottleneck", "resnet18", "resnet34", "resnet50", "resnet101", "resnet152",
           "resnext50_32x4d", "resnext101_32x8d", "wide_resnet50_2", "wide_resnet101_2",
           "SqueezeNet", "squeezenet1_0", "squeezenet1_1", "GoogLeNet", "GoogLeNetOutputs", "googlenet",
           "Inception3", "InceptionOutputs", "inception_v3",
           "DenseNet", "densenet121", "densenet161", "densenet169", "densenet201", "MobileNetV2", "mobilenet_v2",
           "ShuffleNetV2", "shufflenet_v2_x0_5", "shufflenet_v2_x1_0", "shufflenet_v2_x1_5", "shufflenet_v2_x2_0",
           "CifarResNet", "ZeroPadShortcut", "resnet20", "resnet32", "resnet44", "resnet56", "resnet110",
           "get_model", "list_models", "load_torch_state_dict"]
