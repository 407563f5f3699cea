"""The top-level package names only what exists: every lazily loaded family imports, and a name
for a family that does not exist is a plain AttributeError (so ``hasattr`` answers False)."""
import importlib
import pkgutil
import types

import pytest

import gradbook as gb


@pytest.mark.parametrize("name", gb._LAZY_MODULES)
def test_every_lazy_family_imports(name):
    module = getattr(gb, name)
    assert isinstance(module, types.ModuleType) and module.__name__ == f"gradbook.{name}"


def test_lazy_families_are_modules_of_the_package():
    present = {m.name for m in pkgutil.iter_modules(gb.__path__)}
    assert set(gb._LAZY_MODULES) <= present


@pytest.mark.parametrize("name", ["text", "cupy"])
def test_absent_families_are_absent(name):
    assert not hasattr(gb, name)  # no ModuleNotFoundError from inside __getattr__
    with pytest.raises(AttributeError, match=f"no attribute '{name}'"):
        getattr(gb, name)
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module(f"gradbook.{name}")


def test_save_and_load_come_from_io():
    assert gb.save is gb.io.save and gb.load is gb.io.load


def test_backend_claims_no_other_array_module():
    assert not hasattr(gb.backend, "use") and not hasattr(gb.backend, "xp")
