"""Style-transfer losses against the same formulas written in torch (Gatys et al. 2016's
normalisation): Gram matrix, style loss, content loss and total variation — values and the
gradients of features, targets and images, on random shapes."""
import numpy as np
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from gradbook.style import content_loss, gram_matrix, style_loss, total_variation_loss
from parity.harness import assert_matches_torch, random_array

shapes = st.tuples(st.integers(1, 2), st.integers(1, 4), st.integers(1, 5), st.integers(1, 5))
dtypes = st.sampled_from([np.float32, np.float64])


def _tol(dtype):
    return dict(atol=1e-4, rtol=1e-4) if dtype == np.float32 else dict(atol=1e-10, rtol=1e-9)


def torch_gram(f):
    n, c, h, w = f.shape
    flat = f.reshape(n, c, h * w)
    return torch.bmm(flat, flat.transpose(1, 2))


@given(shape=shapes, seed=st.integers(0, 2**16), dtype=dtypes)
@settings(max_examples=30)
def test_gram_and_style_loss(shape, seed, dtype):
    rng = np.random.default_rng(seed)
    f = random_array(rng, shape, dtype)
    a = random_array(rng, (shape[0], shape[1], shape[1]), dtype)
    n, c, h, w = shape
    assert_matches_torch(gram_matrix, torch_gram, [f], **_tol(dtype))
    assert_matches_torch(style_loss, lambda f, a: ((torch_gram(f) - a) ** 2).sum() / (4 * c**2 * (h * w) ** 2),
                         [f, a], **_tol(dtype))


@given(shape=shapes, seed=st.integers(0, 2**16), dtype=dtypes)
@settings(max_examples=30)
def test_content_and_total_variation(shape, seed, dtype):
    rng = np.random.default_rng(seed)
    f, p = random_array(rng, shape, dtype), random_array(rng, shape, dtype)
    assert_matches_torch(content_loss, lambda f, p: 0.5 * ((f - p) ** 2).sum(), [f, p], **_tol(dtype))
    assert_matches_torch(total_variation_loss,
                         lambda x: (torch.diff(x, dim=2) ** 2).sum() + (torch.diff(x, dim=3) ** 2).sum(),
                         [f], **_tol(dtype))
