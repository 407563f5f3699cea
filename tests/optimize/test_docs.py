"""The examples in gradbook.optimize's docstrings run and print what they say."""
from __future__ import annotations

import doctest
import importlib

import pytest


@pytest.mark.parametrize("name", ["gradbook.optimize", "gradbook.optimize.minimize"])
def test_docstring_examples(name):
    importlib.import_module("gradbook.optimize")
    import sys

    result = doctest.testmod(sys.modules[name])
    assert result.attempted > 0 and result.failed == 0
