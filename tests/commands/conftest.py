"""Shared by the command-line tests: a typer ``CliRunner`` that keeps stderr apart from stdout."""
from __future__ import annotations

import pytest
from typer.testing import CliRunner


@pytest.fixture
def runner():
    try:
        return CliRunner(mix_stderr=False)
    except TypeError:       # click >= 8.2 always keeps stderr apart
        return CliRunner()
