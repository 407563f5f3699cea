"""gradbook.compress.prune chooses the same masks as torch.nn.utils.prune: l1_unstructured,
ln_structured and global_unstructured, amounts as fractions and counts, and repeated pruning
composed as torch's PruningContainer does."""
import numpy as np
import pytest
import torch
import torch.nn.utils.prune as tprune
from hypothesis import given, strategies as st

from gradbook import nn
from gradbook.compress import prune



def _twins(shape, seed):
    """A gradbook Conv2d/Linear and a torch one holding the same random weights."""
    rng = np.random.default_rng(seed)
    w = rng.standard_normal(shape).astype(np.float32)
    if len(shape) == 4:
        ours, theirs = nn.Conv2d(shape[1], shape[0], shape[2]), torch.nn.Conv2d(shape[1], shape[0], shape[2])
    else:
        ours, theirs = nn.Linear(shape[1], shape[0]), torch.nn.Linear(shape[1], shape[0])
    ours.weight.data[...] = w
    with torch.no_grad():
        theirs.weight.copy_(torch.from_numpy(w))
    return ours, theirs


def _mask(m) -> np.ndarray:
    mask = m.weight_mask
    return mask.detach().numpy() if isinstance(mask, torch.Tensor) else mask.data


amounts = st.one_of(st.floats(0, 1), st.integers(0, 12))


@given(amount=amounts, seed=st.integers(0, 10**6))
def test_l1_unstructured_masks_match_torch(amount, seed):
    ours, theirs = _twins((4, 3), seed)
    prune.l1_unstructured(ours, "weight", amount)
    tprune.l1_unstructured(theirs, "weight", amount)
    np.testing.assert_array_equal(_mask(ours), _mask(theirs))
    np.testing.assert_array_equal(ours.weight.data, theirs.weight.detach().numpy())


@given(first=amounts, second=amounts, seed=st.integers(0, 10**6))
def test_repeated_unstructured_pruning_composes_as_torch(first, second, seed):
    ours, theirs = _twins((4, 3), seed)
    prune.l1_unstructured(ours, "weight", first)
    tprune.l1_unstructured(theirs, "weight", first)
    kept = int(_mask(theirs).sum())
    if isinstance(second, int) and second > kept:
        with pytest.raises(ValueError, match="amount"):
            prune.l1_unstructured(ours, "weight", second)
        return
    prune.l1_unstructured(ours, "weight", second)
    tprune.l1_unstructured(theirs, "weight", second)
    np.testing.assert_array_equal(_mask(ours), _mask(theirs))


@given(amount=st.one_of(st.floats(0, 1), st.integers(0, 5)), n=st.sampled_from([1, 2, 3, np.inf, -np.inf]),
       dim=st.integers(-4, 3), seed=st.integers(0, 10**6))
def test_ln_structured_masks_match_torch(amount, n, dim, seed):
    ours, theirs = _twins((5, 4, 3, 3), seed)
    size = ours.weight.shape[dim]
    if isinstance(amount, int) and amount > size:
        with pytest.raises(ValueError, match="amount"):
            prune.ln_structured(ours, "weight", amount, n, dim)
        return
    prune.ln_structured(ours, "weight", amount, n, dim)
    tprune.ln_structured(theirs, "weight", amount, n, dim)
    np.testing.assert_array_equal(_mask(ours), _mask(theirs))


@given(seed=st.integers(0, 10**6), a=st.floats(0, 0.6), b=st.integers(0, 2), c=st.floats(0, 0.9))
def test_unstructured_then_structured_then_unstructured_composes_as_torch(seed, a, b, c):
    ours, theirs = _twins((5, 4, 3, 3), seed)
    for fn, tfn, args in ((prune.l1_unstructured, tprune.l1_unstructured, (a,)),
                          (prune.ln_structured, tprune.ln_structured, (b, 2, 0)),
                          (prune.ln_structured, tprune.ln_structured, (0.5, 1, 1)),
                          (prune.l1_unstructured, tprune.l1_unstructured, (c,))):
        fn(ours, "weight", *args)
        tfn(theirs, "weight", *args)
        np.testing.assert_array_equal(_mask(ours), _mask(theirs))


@given(amount=st.one_of(st.floats(0, 1), st.integers(0, 37)), again=st.floats(0, 1), seed=st.integers(0, 10**6))
def test_global_unstructured_masks_match_torch(amount, again, seed):
    (a, ta), (b, tb) = _twins((4, 3), seed), _twins((2, 3, 2, 2), seed + 1)
    if amount == 37:  # one more than the 36 entries: both refuse
        with pytest.raises(ValueError, match="only 36"):
            prune.global_unstructured([(a, "weight"), (b, "weight")], amount)
        with pytest.raises(ValueError):
            tprune.global_unstructured([(ta, "weight"), (tb, "weight")], tprune.L1Unstructured, amount=amount)
        return
    for step in (amount, again):
        prune.global_unstructured([(a, "weight"), (b, "weight")], step)
        tprune.global_unstructured([(ta, "weight"), (tb, "weight")], tprune.L1Unstructured, amount=step)
        np.testing.assert_array_equal(_mask(a), _mask(ta))
        np.testing.assert_array_equal(_mask(b), _mask(tb))


def test_remove_keeps_the_pruned_values_as_torch():
    ours, theirs = _twins((6, 5), 3)
    prune.l1_unstructured(ours, "weight", 0.4)
    tprune.l1_unstructured(theirs, "weight", 0.4)
    prune.remove(ours, "weight")
    tprune.remove(theirs, "weight")
    assert set(ours.state_dict()) == set(theirs.state_dict()) == {"weight", "bias"}
    np.testing.assert_array_equal(ours.weight.data, theirs.weight.detach().numpy())
