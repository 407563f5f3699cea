"""torchvision's model builders for the parity tests, without importing torchvision itself.

Installed beside the pinned CPU torch wheel, ``import torchvision`` fails: its package
``__init__`` loads compiled operators that this torch build does not register ("operator
torchvision::nms does not exist"). The model definitions are plain Python and need none of them,
so this helper

1. finds the installed torchvision directory without importing it
   (``importlib.util.find_spec("torchvision").submodule_search_locations``),
2. registers an empty stand-in package, ``types.ModuleType("torchvision")`` with ``__path__`` set to
   that directory, in ``sys.modules``,

after which ``from torchvision.models import resnet18`` imports the real model code (verified:
resnet18 11,689,512, densenet121 7,978,856, mobilenet_v2 3,504,872 parameters). When torchvision is
not installed, ``torchvision_models()`` skips the calling test, naming the missing package.
"""
from __future__ import annotations

import importlib
import importlib.util
import sys
import types

import pytest


def torchvision_models():
    """The ``torchvision.models`` module, loaded through the stand-in package (or skip the test)."""
    package = sys.modules.get("torchvision")
    if package is None:
        spec = importlib.util.find_spec("torchvision")
        if spec is None or not spec.submodule_search_locations:
            pytest.skip("torchvision is not installed (pip install --no-deps torchvision==0.28.0, "
                        "the 'test' extra): the torchvision parity tests need its model definitions")
        package = types.ModuleType("torchvision")
        package.__path__ = list(spec.submodule_search_locations)
        sys.modules["torchvision"] = package
    return importlib.import_module("torchvision.models")
