"""load_torch_state_dict: every accepted source (mappings of torch tensors or arrays, .safetensors,
plain .npz, gradbook checkpoints, .pt only with allow_pickle=True) loads the same weights; refused
and malformed sources raise clear errors; strict and shape checks are the model's own."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import gradbook as gb
from gradbook import models, nn
from gradbook.io import CheckpointError


class TorchNet(torch.nn.Module):
    """Conv + BatchNorm (with its three buffers) + Linear: the kinds of entries a torchvision state dict has."""

    def __init__(self):
        super().__init__()
        self.features = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3, bias=False), torch.nn.BatchNorm2d(4),
                                            torch.nn.ReLU(inplace=True))
        self.fc = torch.nn.Linear(4, 2)

    def forward(self, x):
        return self.fc(self.features(x).mean((2, 3)))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 4, 3, bias=False), nn.BatchNorm2d(4), nn.ReLU(inplace=True))
        self.fc = nn.Linear(4, 2)

    def forward(self, x):
        return self.fc(self.features(x).mean((2, 3)))


@pytest.fixture
def torch_net():
    torch.manual_seed(0)
    net = TorchNet()
    bn = net.features[1]
    bn.running_mean.uniform_(-1, 1)
    bn.running_var.uniform_(0.5, 2)
    bn.num_batches_tracked.fill_(5)
    return net.eval()


def _assert_loaded(net: Net, torch_net: TorchNet) -> None:
    for key, value in torch_net.state_dict().items():
        np.testing.assert_array_equal(net.state_dict()[key], value.numpy(), err_msg=key)
    x = np.random.default_rng(1).standard_normal((2, 3, 6, 6)).astype(np.float32)
    with torch.no_grad():
        ref = torch_net(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(net.eval()(gb.tensor(x)).data, ref, rtol=1e-5, atol=1e-6)


def test_mapping_of_torch_tensors_and_of_arrays(torch_net):
    for source in (torch_net.state_dict(), {k: v.numpy() for k, v in torch_net.state_dict().items()}):
        net = Net()
        result = models.load_torch_state_dict(net, source)
        assert result.missing_keys == [] and result.unexpected_keys == []
        _assert_loaded(net, torch_net)
    assert int(net.features[1].num_batches_tracked.data) == 5


def test_safetensors_file_written_by_torch(torch_net, tmp_path):
    from safetensors.torch import save_file

    path = tmp_path / "net.safetensors"
    save_file(torch_net.state_dict(), str(path))
    net = Net()
    models.load_torch_state_dict(net, path)
    _assert_loaded(net, torch_net)
    net2 = Net()
    models.load_torch_state_dict(net2, str(path))  # str paths too
    _assert_loaded(net2, torch_net)


def test_plain_npz_and_gradbook_checkpoints(torch_net, tmp_path):
    arrays = {k: v.numpy() for k, v in torch_net.state_dict().items()}
    np.savez(tmp_path / "plain.npz", **arrays)
    gb.save(arrays, tmp_path / "saved.npz")
    gb.save(arrays, tmp_path / "saved.safetensors")
    for name in ("plain.npz", "saved.npz", "saved.safetensors"):
        net = Net()
        models.load_torch_state_dict(net, tmp_path / name)
        _assert_loaded(net, torch_net)


def test_pickle_files_are_refused_unless_allowed(torch_net, tmp_path):
    path = tmp_path / "net.pt"
    torch.save(torch_net.state_dict(), path)
    with pytest.raises(ValueError, match="pickle.*arbitrary code.*allow_pickle=True"):
        models.load_torch_state_dict(Net(), path)
    net = Net()
    models.load_torch_state_dict(net, path, allow_pickle=True)
    _assert_loaded(net, torch_net)


def test_pickle_without_torch_names_the_missing_package(torch_net, tmp_path, monkeypatch):
    import sys

    path = tmp_path / "net.pth"
    torch.save(torch_net.state_dict(), path)
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch now raises ImportError
    with pytest.raises(ImportError, match="needs PyTorch"):
        models.load_torch_state_dict(Net(), path, allow_pickle=True)


def test_bfloat16_tensors_are_widened_and_bfloat16_files_named(torch_net, tmp_path):
    from safetensors.torch import save_file

    bf16 = {k: (v.to(torch.bfloat16) if v.is_floating_point() else v) for k, v in torch_net.state_dict().items()}
    net = Net()
    models.load_torch_state_dict(net, bf16)
    np.testing.assert_array_equal(net.fc.weight.data, bf16["fc.weight"].float().numpy())
    save_file(bf16, str(tmp_path / "bf16.safetensors"))
    with pytest.raises(CheckpointError, match="bfloat16"):
        models.load_torch_state_dict(Net(), tmp_path / "bf16.safetensors")


def test_strict_shape_and_source_errors(torch_net, tmp_path):
    sd = dict(torch_net.state_dict())
    del sd["fc.bias"]
    with pytest.raises(RuntimeError, match="missing keys: 'fc.bias'"):
        models.load_torch_state_dict(Net(), sd)
    result = models.load_torch_state_dict(Net(), {**sd, "extra": torch.zeros(1)}, strict=False)
    assert result.missing_keys == ["fc.bias"] and result.unexpected_keys == ["extra"]
    with pytest.raises(RuntimeError, match=r"fc.weight: checkpoint shape \(3, 4\), model shape \(2, 4\)"):
        models.load_torch_state_dict(Net(), {**torch_net.state_dict(), "fc.weight": torch.zeros(3, 4)})
    with pytest.raises(TypeError, match="'fc.weight' is a dict"):
        models.load_torch_state_dict(Net(), {**torch_net.state_dict(), "fc.weight": {"a": 1}})
    with pytest.raises(FileNotFoundError, match="no such file"):
        models.load_torch_state_dict(Net(), tmp_path / "absent.safetensors")
    (tmp_path / "weights.h5").write_bytes(b"x")
    with pytest.raises(ValueError, match="cannot tell the format.*'.h5'"):
        models.load_torch_state_dict(Net(), tmp_path / "weights.h5")
    with pytest.raises(TypeError, match="mapping of name -> array or a file path"):
        models.load_torch_state_dict(Net(), [1, 2])
    with pytest.raises(TypeError, match="gradbook.nn.Module"):
        models.load_torch_state_dict(torch_net, sd)
    np.savez(tmp_path / "objects.npz", w=np.array([{"a": 1}], dtype=object))
    with pytest.raises(CheckpointError, match="pickle"):
        models.load_torch_state_dict(Net(), tmp_path / "objects.npz")
    gb.save([np.zeros(2)], tmp_path / "list.npz")
    with pytest.raises(TypeError, match="holds a list, not a state dict"):
        models.load_torch_state_dict(Net(), tmp_path / "list.npz")
