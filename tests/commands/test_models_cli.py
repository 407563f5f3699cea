"""`gradbook params` / `gradbook summary` build the zoo's models by their list_models() names."""
from __future__ import annotations

from typer.testing import CliRunner

from gradbook.cli import app


def run(*args):
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})


def test_params_of_zoo_models():
    r = run("params", "resnet18")
    assert r.exit_code == 0 and "11,689,512" in r.output
    r = run("params", "resnet20:100")  # the number is num_classes
    assert r.exit_code == 0 and f"{269_722 + 90 * 65:,}" in r.output


def test_unknown_or_malformed_model_specs():
    r = run("params", "resnet19")
    assert r.exit_code != 0 and "resnet20" in r.output and "load_torch_state_dict" not in r.output
    assert run("params", "resnet20:10,3").exit_code != 0
