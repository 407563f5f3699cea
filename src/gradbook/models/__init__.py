"""``gradbook.models``: ready-made networks built from ``gradbook.nn``.

* MNIST/CIFAR scale: ``MLP``, ``LeNet5``, the CIFAR ResNets ``resnet20/32/44/56/110``;
* ImageNet shapes under torchvision's names, with torchvision's ``state_dict`` keys, so converted
  torchvision weights load with :func:`load_torch_state_dict`: ``alexnet``, ``vgg11`` ... ``vgg19_bn``,
  ``resnet18`` ... ``resnet152``, ``resnext50_32x4d``, ``resnext101_32x8d``, ``wide_resnet50_2``,
  ``wide_resnet101_2``, ``squeezenet1_0/1_1``, ``googlenet``, ``inception_v3``, ``densenet121/161/169/201``,
  ``mobilenet_v2``, ``shufflenet_v2_x0_5/x1_0/x1_5/x2_0``;
* built from their papers (torchvision lacks them): ``preact_resnet18``, ``dpn26``, ``dpn92``, ``xception``,
  ``mobilenet_v1``, ``shufflenet_v1``, ``inception_v4`` and the Inception-v4 / Inception-ResNet blocks;
* CIFAR scale: ``preact_resnet20``, ``densenet_cifar`` (DenseNet, -B, -C, -BC), ``densenet_bc_40``,
  ``mobilenet_v2_cifar``, ``vgg_cifar``, ``resnext_cifar``;
* ``list_models()`` and ``get_model(name, **kwargs)``.
"""
from .alexnet import AlexNet, alexnet
from .cifar_resnet import CifarResNet, ZeroPadShortcut, resnet20, resnet32, resnet44, resnet56, resnet110
from .densenet import DenseNet, densenet121, densenet161, densenet169, densenet201
from .densenet_cifar import CifarDenseNet, densenet_bc_40, densenet_cifar
from .dpn import DPN, DualPathBlock, dpn26, dpn92
from .googlenet import GoogLeNet, GoogLeNetOutputs, googlenet
from .inception import Inception3, InceptionOutputs, inception_v3
from .inception_v4 import (InceptionA, InceptionB, InceptionC, InceptionResNetA, InceptionResNetB, InceptionResNetC,
                           InceptionStem, InceptionV4, ReductionA, ReductionB, ReductionResNetB, inception_v4)
from .lenet import LeNet5
from .mlp import MLP
from .mobilenet_v1 import MobileNetV1, mobilenet_v1
from .mobilenet_v2_cifar import mobilenet_v2_cifar
from .mobilenetv2 import MobileNetV2, mobilenet_v2
from .preact_resnet import PreActBlock, PreActResNet, preact_resnet18, preact_resnet20
from .registry import get_model, list_models
from .resnet import (BasicBlock, Bottleneck, ResNet, resnet18, resnet34, resnet50, resnet101, resnet152,
                     resnext50_32x4d, resnext101_32x8d, wide_resnet50_2, wide_resnet101_2)
from .resnext_cifar import CifarResNeXt, ResNeXtBlock, resnext_cifar
from .shufflenet_v1 import ShuffleNetV1, ShuffleUnit, shufflenet_v1
from .shufflenetv2 import ShuffleNetV2, shufflenet_v2_x0_5, shufflenet_v2_x1_0, shufflenet_v2_x1_5, shufflenet_v2_x2_0
from .squeezenet import SqueezeNet, squeezenet1_0, squeezenet1_1
from .torch_weights import load_torch_state_dict
from .vgg import VGG, vgg11, vgg11_bn, vgg13, vgg13_bn, vgg16, vgg16_bn, vgg19, vgg19_bn
from .vgg_cifar import CifarVGG, vgg_cifar
from .xception import Xception, XceptionBlock, xception

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
           "PreActBlock", "PreActResNet", "preact_resnet18", "preact_resnet20",
           "DPN", "DualPathBlock", "dpn26", "dpn92",
           "Xception", "XceptionBlock", "xception", "MobileNetV1", "mobilenet_v1", "ShuffleNetV1", "ShuffleUnit",
           "shufflenet_v1", "InceptionStem", "InceptionA", "ReductionA", "InceptionB", "ReductionB", "InceptionC",
           "InceptionResNetA", "InceptionResNetB", "InceptionResNetC", "ReductionResNetB", "InceptionV4",
           "inception_v4", "CifarDenseNet", "densenet_cifar", "densenet_bc_40", "mobilenet_v2_cifar", "CifarVGG",
           "vgg_cifar", "CifarResNeXt", "ResNeXtBlock", "resnext_cifar",
           "get_model", "list_models", "load_torch_state_dict"]
