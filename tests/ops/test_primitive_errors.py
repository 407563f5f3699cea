"""Bad input raises a clear error naming the op and both shapes, never a bare NumPy error."""
import numpy as np
import pytest

import gradbook as gb


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div", "maximum", "minimum"])
def test_broadcast_mismatch_names_op_and_shapes(op):
    a, b = gb.ones(2, 3), gb.ones(4)
    with pytest.raises(ValueError, match=rf"{op}: shapes \(2, 3\) and \(4,\) cannot be broadcast"):
        getattr(gb, op)(a, b)


def test_operator_broadcast_mismatch():
    with pytest.raises(ValueError, match=r"add: shapes \(3,\) and \(2,\)"):
        gb.ones(3) + gb.ones(2)


def test_matmul_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"matmul: shapes \(2, 3\) and \(4, 5\) do not align"):
        gb.ones(2, 3) @ gb.ones(4, 5)
    with pytest.raises(ValueError, match="batch dimensions"):
        gb.ones(2, 2, 3) @ gb.ones(3, 3, 1)
    with pytest.raises(ValueError, match="at least one dimension"):
        gb.matmul(gb.tensor(1.0), gb.ones(2))


def test_cat_and_stack_mismatch():
    with pytest.raises(ValueError, match=r"cat: shapes \(2, 3\) and \(2, 4\) do not match outside dim 0"):
        gb.cat([gb.ones(2, 3), gb.ones(2, 4)])
    with pytest.raises(ValueError, match="stack: shapes"):
        gb.stack([gb.ones(2), gb.ones(3)])
    with pytest.raises(ValueError, match="non-empty"):
        gb.cat([])


def test_reshape_and_dims_errors():
    with pytest.raises(ValueError, match=r"reshape: shape \(4, 4\) is invalid for a tensor of shape \(2, 3\)"):
        gb.ones(2, 3).reshape(4, 4)
    with pytest.raises(IndexError, match="sum: dim 3 is out of range"):
        gb.ones(2, 3).sum(3)
    with pytest.raises(ValueError, match="permute"):
        gb.ones(2, 3).permute(0, 0)
    with pytest.raises(ValueError, match="expand"):
        gb.ones(2, 3).expand(4, 3)


def test_index_error_names_shape():
    with pytest.raises(IndexError, match=r"shape \(2, 3\)"):
        gb.ones(2, 3)[5]


def test_where_needs_bool_condition():
    with pytest.raises(ValueError, match="bool"):
        gb.where(gb.ones(2), gb.ones(2), gb.zeros(2))


def test_setitem_on_tensor_requiring_grad_is_refused():
    x = gb.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="in-place"):
        x[0] = 2.0
    with gb.no_grad():
        x[0] = 2.0
    np.testing.assert_array_equal(x.data, [2.0, 1.0, 1.0])
