"""Style-transfer losses: float64 gradchecks (random upstream gradient), the Gram matrix by a hand
loop, invariance of the Gram matrix to moving positions, and clear errors."""
import numpy as np
import pytest

import gradbook as gb
from gradbook.autograd import gradcheck
from gradbook.style import content_loss, gram_matrix, style_loss, total_variation_loss


def _t(shape, seed, grad=True):
    return gb.tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=grad)


def test_gradchecks():
    f, p, a = _t((2, 3, 4, 3), 0), _t((2, 3, 4, 3), 1), _t((1, 3, 3), 2)
    assert gradcheck(gram_matrix, [f])
    assert gradcheck(style_loss, [f, a])
    assert gradcheck(content_loss, [f, p])
    assert gradcheck(total_variation_loss, [f])


def test_gram_by_hand_and_position_invariance():
    f = np.random.default_rng(3).standard_normal((1, 2, 3, 4))
    want = np.array([[sum(f[0, i].ravel()[k] * f[0, j].ravel()[k] for k in range(12)) for j in range(2)]
                     for i in range(2)])
    np.testing.assert_allclose(gram_matrix(gb.tensor(f)).data[0], want, rtol=1e-12)
    perm = np.random.default_rng(4).permutation(12)   # the same positions reordered: the same Gram matrix
    shuffled = f.reshape(1, 2, 12)[:, :, perm].reshape(1, 2, 3, 4)
    np.testing.assert_allclose(gram_matrix(gb.tensor(shuffled)).data, gram_matrix(gb.tensor(f)).data, rtol=1e-12)
    assert style_loss(gb.tensor(shuffled), gram_matrix(gb.tensor(f))).item() < 1e-20


def test_errors_name_the_function_and_shapes():
    with pytest.raises(ValueError, match=r"gram_matrix: expected features of shape \(N, C, H, W\).*got shape \(3, 4\)"):
        gram_matrix(gb.tensor(np.zeros((3, 4))))
    with pytest.raises(ValueError, match=r"style_loss: target Gram matrix of shape \(1, 2, 2\) does not fit"):
        style_loss(gb.tensor(np.zeros((1, 3, 2, 2))), np.zeros((1, 2, 2)))
    with pytest.raises(ValueError, match=r"content_loss: target of shape \(1, 3, 2, 1\) does not match"):
        content_loss(gb.tensor(np.zeros((1, 3, 2, 2))), np.zeros((1, 3, 2, 1)))
    with pytest.raises(TypeError, match="total_variation_loss: expected image to be a Tensor, got ndarray"):
        total_variation_loss(np.zeros((1, 3, 2, 2)))
