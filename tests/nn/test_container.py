"""Sequential, ModuleList and ModuleDict: registration under PyTorch's names, indexing, editing."""
from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest

import gradbook as gb
from gradbook import nn


def test_sequential_chains_and_names_children_by_index():
    a, b = nn.Linear(4, 3), nn.Linear(3, 2)
    seq = nn.Sequential(a, nn.Identity(), b)
    x = gb.randn(5, 4)
    np.testing.assert_allclose(seq(x).data, b(a(x)).data)
    assert list(seq.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert seq[0] is a and seq[-1] is b and len(seq) == 3 and list(seq)[1].__class__ is nn.Identity
    head = seq[1:]
    assert isinstance(head, nn.Sequential) and list(head._modules) == ["1", "2"] and head[1] is b


def test_sequential_from_ordered_dict_and_editing():
    seq = nn.Sequential(OrderedDict([("fc", nn.Linear(2, 2)), ("out", nn.Linear(2, 1))]))
    assert list(seq.state_dict())[:2] == ["fc.weight", "fc.bias"] and seq.fc is seq[0]
    plain = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 2), nn.Linear(2, 1))
    last = plain[2]
    del plain[0]
    assert list(plain._modules) == ["0", "1"] and plain[1] is last  # renumbered like PyTorch
    plain.append(nn.Identity())
    plain.insert(0, nn.Identity())
    assert len(plain) == 4 and isinstance(plain[0], nn.Identity)
    new = nn.Linear(2, 2)
    plain[1] = new
    assert plain[1] is new
    with pytest.raises(IndexError, match="out of range"):
        plain[7]
    with pytest.raises(TypeError):
        plain.append(3)


def test_module_list_registers_parameters_and_is_not_callable():
    layers = nn.ModuleList([nn.Linear(3, 3) for _ in range(3)])
    assert len(list(layers.parameters())) == 6
    layers += [nn.Linear(3, 1)]
    assert len(layers) == 4 and list(layers.state_dict())[-1] == "3.bias"
    assert isinstance(layers[:2], nn.ModuleList) and len(layers[:2]) == 2
    with pytest.raises(TypeError, match="container"):
        layers(gb.randn(2, 3))

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.blocks = nn.ModuleList([nn.Linear(2, 2), nn.Linear(2, 2)])

    assert list(Net().state_dict()) == ["blocks.0.weight", "blocks.0.bias", "blocks.1.weight", "blocks.1.bias"]


def test_module_dict():
    d = nn.ModuleDict({"enc": nn.Linear(2, 3), "dec": nn.Linear(3, 2)})
    assert list(d) == ["enc", "dec"] and "enc" in d and len(d) == 2
    assert list(d.state_dict())[0] == "enc.weight"
    d["act"] = nn.Identity()
    assert list(d.keys()) == ["enc", "dec", "act"]
    assert isinstance(d.pop("act"), nn.Identity) and "act" not in d
    with pytest.raises(KeyError, match="missing"):
        d["missing"]
    d.update([("x", nn.Identity())])
    assert list(d) == ["enc", "dec", "x"]


def test_reprs_equal_pytorchs():
    import torch

    ours = nn.Sequential(nn.Linear(3, 4), nn.ModuleList([nn.Linear(2, 2), nn.Linear(2, 2), nn.Linear(2, 2),
                                                         nn.Flatten(), nn.Linear(1, 1)]),
                         nn.ModuleDict({"a": nn.Identity()}), nn.ModuleList())
    tnn = torch.nn
    ref = tnn.Sequential(tnn.Linear(3, 4), tnn.ModuleList([tnn.Linear(2, 2), tnn.Linear(2, 2), tnn.Linear(2, 2),
                                                           tnn.Flatten(), tnn.Linear(1, 1)]),
                         tnn.ModuleDict({"a": tnn.Identity()}), tnn.ModuleList())
    assert repr(ours) == repr(ref)
