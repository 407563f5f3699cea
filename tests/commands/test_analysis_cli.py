"""`gradbook params`, `gradbook summary`, `gradbook rf`: the numbers printed are the library's."""
from __future__ import annotations

from gradbook.analysis import count_params, fc_params, rnn_params
from gradbook.cli import app
from gradbook.models import LeNet5


def run(runner, *args):
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    return result


def test_params_formulas(runner):
    r = run(runner, "params", "lstm", "3", "2")
    assert r.exit_code == 0, r.output
    for conv in ("double", "single", "keras"):
        assert f" {rnn_params('lstm', 3, 2, bias=conv)} " in r.output
    assert "count_params = 56" in r.output
    r = run(runner, "params", "fc", "3", "5", "2")
    assert r.exit_code == 0 and f" {fc_params([3, 5, 2])} " in r.output
    r = run(runner, "params", "gru", "8", "5", "--layers", "2", "--bidirectional", "--bias", "double")
    assert f"{rnn_params('gru', 8, 5, 2, True):,}" in r.output
    r = run(runner, "params", "conv", "1", "3", "2")
    assert r.exit_code == 0 and " 15 " in r.output


def test_params_of_a_model(runner):
    r = run(runner, "params", "lenet5")
    assert r.exit_code == 0 and f"{count_params(LeNet5()):,}" in r.output
    r = run(runner, "params", "mlp", "784", "128", "10")
    assert f"{fc_params([784, 128, 10]):,}" in r.output


def test_summary(runner):
    r = run(runner, "summary", "lenet5", "--input", "1,28,28")
    assert r.exit_code == 0, r.output
    assert "Total params: 61,706" in r.output and "[1, 16, 5, 5]" in r.output
    r = run(runner, "summary", "lenet5", "--input", "3,28,28")
    assert r.exit_code != 0 and "failed on an input of shape" in (r.stderr or r.output)


def test_rf(runner):
    r = run(runner, "rf", "conv3", "conv3", "--input", "32,32")
    assert r.exit_code == 0, r.output
    assert "confirmed" in r.output and "field 5 " in r.output
    r = run(runner, "rf", "--model", "lenet5", "--input", "1,28,28")
    assert r.exit_code == 0 and "stopped before flatten" in r.output


def test_errors_and_help(runner):
    assert run(runner, "params", "lstm", "3").exit_code != 0
    assert run(runner, "params", "resnet9000").exit_code != 0
    assert run(runner, "rf", "conv", "--input", "8,8").exit_code != 0
    assert run(runner, "rf").exit_code != 0
    for cmd in ("params", "summary", "rf"):
        r = run(runner, cmd, "--help")
        assert r.exit_code == 0 and "Examples" in r.output and "gradbook " + cmd in r.output
