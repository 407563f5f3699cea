import itertools
import math

import numpy as np
import pytest

from gradbook.vision import SSD300, priors_per_cell, ssd_priors


def test_ssd300_gives_8732_priors():
    counts = [f * f * k for f, k in zip(SSD300["feature_map_sizes"], priors_per_cell(SSD300["aspect_ratios"]))]
    assert counts == [38 * 38 * 4, 19 * 19 * 6, 10 * 10 * 6, 5 * 5 * 6, 3 * 3 * 4, 1 * 4]
    assert sum(counts) == 8732 == len(ssd_priors(**SSD300))


def prior_box_loop(maps, image, mins, maxs, ratios):
    """The cell-by-cell loop of ssd.pytorch's PriorBox (centre-size), then corners."""
    out = []
    for k, f in enumerate(maps):
        step = image / f
        for i, j in itertools.product(range(f), repeat=2):
            cx, cy = (j + 0.5) * step / image, (i + 0.5) * step / image
            s = mins[k] / image
            sizes = [(s, s), (math.sqrt(s * maxs[k] / image),) * 2]
            for r in ratios[k]:
                sizes += [(s * math.sqrt(r), s / math.sqrt(r)), (s / math.sqrt(r), s * math.sqrt(r))]
            out += [(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2) for w, h in sizes]
    return np.array(out)


def test_priors_equal_the_cell_loop():
    args = ((4, 2, 1), 32, (8, 16, 30), (16, 30, 60), ((2,), (2, 3), ()))
    np.testing.assert_allclose(ssd_priors(*args, clip=False), prior_box_loop(*args), atol=1e-15)
    clipped = ssd_priors(*args, clip=True)
    wh = clipped[:, 2:] - clipped[:, :2]
    assert wh.max() <= 1 + 1e-12 and np.isclose(wh.max(), 1.0)   # sqrt(30·60)/32 > 1 is clamped


@pytest.mark.parametrize("kwargs, words", [
    (dict(min_sizes=(30,)), ["min_sizes", "one entry per feature map"]),
    (dict(feature_map_sizes=(0, 1)), ["feature_map_sizes", "positive ints"]),
    (dict(aspect_ratios=((2,), (-1,))), ["aspect_ratios[1]", "positive"]),
    (dict(aspect_ratios=((2,),)), ["aspect_ratios", "one list per feature map"]),
])
def test_bad_configuration_is_named(kwargs, words):
    base = dict(feature_map_sizes=(2, 1), image_size=32, min_sizes=(8, 16), max_sizes=(16, 32),
                aspect_ratios=((2,), (2,)))
    with pytest.raises(ValueError) as info:
        ssd_priors(**{**base, **kwargs})
    for w in words:
        assert w in str(info.value)
