import numpy as np
import pytest

from gradbook.vision import decode, encode


def test_encode_by_hand_and_round_trip():
    prior = [[0, 0, 2, 2]]      # centre (1, 1), size 2
    box = [[1, 1, 3, 5]]        # centre (2, 3), size (2, 4)
    t = encode(box, prior, (0.1, 0.2))
    np.testing.assert_allclose(t, [[1 / (0.1 * 2), 2 / (0.1 * 2), 0.0, np.log(2) / 0.2]])
    np.testing.assert_allclose(decode(t, prior, (0.1, 0.2)), box)
    rng = np.random.default_rng(0)
    lo = rng.uniform(0, 1, (50, 2))
    boxes = np.c_[lo, lo + rng.uniform(0.01, 1, (50, 2))]
    priors = np.c_[lo[::-1], lo[::-1] + rng.uniform(0.01, 1, (50, 2))]
    np.testing.assert_allclose(decode(encode(boxes, priors), priors), boxes, atol=1e-12)


def test_bad_inputs_are_named():
    with pytest.raises(ValueError, match="encode: boxes .* x2 > x1"):
        encode([[0, 0, 0, 1]], [[0, 0, 1, 1]])
    with pytest.raises(ValueError, match="encode: boxes and priors must have the same number of rows"):
        encode([[0, 0, 1, 1]], [[0, 0, 1, 1], [0, 0, 2, 2]])
    with pytest.raises(ValueError, match="variances"):
        decode([[0, 0, 0, 0]], [[0, 0, 1, 1]], (0.1, 0))
    with pytest.raises(ValueError, match=r"decode: offsets .* \(N, 4\)"):
        decode([[0, 0, 0]], [[0, 0, 1, 1]])
