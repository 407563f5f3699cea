"""`gradbook priors`: SSD300's counts per map, a hand-computed IoU bound and clear errors."""
from __future__ import annotations

import json

import pytest

from gradbook.cli import app


def test_ssd300_counts_and_small_object_bound(runner):
    r = runner.invoke(app, ["priors", "--object", "16,64", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["priors"] == 8732
    assert [m["priors"] for m in out["maps"]] == [38 * 38 * 4, 19 * 19 * 6, 10 * 10 * 6, 5 * 5 * 6, 3 * 3 * 4, 4]
    small, big = out["objects"]
    # a 16 px square always lies inside some 30 px prior (centres 8 px apart): IoU = 16²/30², below 0.5
    assert small["best_iou"] == pytest.approx(16 ** 2 / 30 ** 2) and small["matched"] == 0 and small["any"] == 0
    assert big["any"] == 1 and big["matched"] > 1


def test_tables_and_errors(runner):
    r = runner.invoke(app, ["priors", "--feature-maps", "19,10", "--image-size", "300", "--min-sizes", "60,111",
                            "--max-sizes", "111,162", "--aspect-ratios", "2,3;2,3"], env={"COLUMNS": "200"})
    assert r.exit_code == 0 and "2,766 priors" in r.output and "19x19" in r.output
    r = runner.invoke(app, ["priors", "--feature-maps", "19,10"])
    assert r.exit_code == 2 and "min_sizes must have one entry per feature map" in (r.stderr or r.output)
    r = runner.invoke(app, ["priors", "--object", "a"])
    assert r.exit_code == 2 and "--object must be comma-separated numbers" in (r.stderr or r.output)
