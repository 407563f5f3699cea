"""precise_bn: the running statistics become the plain averages over the given batches, as a torch
BatchNorm with momentum=None computes them; parameters, momenta and the mode are left as they were."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import gradbook as gb
from gradbook import nn
from gradbook.train.precise_bn import precise_bn


def test_precise_bn_equals_torchs_cumulative_average():
    rng = np.random.default_rng(0)
    batches = [(rng.standard_normal((5, 3, 4, 4)).astype(np.float32) * (i + 1) + i, None) for i in range(4)]
    net = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4, momentum=0.3), nn.ReLU(), nn.BatchNorm2d(4))
    net.eval()
    twin = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4, momentum=None), torch.nn.ReLU(),
                               torch.nn.BatchNorm2d(4, momentum=None))
    twin.load_state_dict({k: torch.from_numpy(np.asarray(v)) for k, v in net.state_dict().items()})
    weights = [p.data.copy() for p in net.parameters()]
    assert precise_bn(net, batches, num_batches=3) == 3
    twin.train()
    with torch.no_grad():
        for x, _ in batches[:3]:
            twin(torch.from_numpy(x))
    for name, value in net.state_dict().items():
        np.testing.assert_allclose(value, twin.state_dict()[name].numpy(), rtol=1e-5, atol=1e-6, err_msg=name)
    # by hand for the first BN: the average of the three batch means of the conv's output
    conv_out = [torch.nn.functional.conv2d(torch.from_numpy(x), twin[0].weight, twin[0].bias) for x, _ in batches[:3]]
    means = [c.mean((0, 2, 3)).detach().numpy() for c in conv_out]
    np.testing.assert_allclose(net[1].running_mean.data, np.mean(means, 0), rtol=1e-5, atol=1e-6)
    assert not net.training and net[1].momentum == 0.3 and net[3].momentum == 0.1
    assert all(np.array_equal(p.data, w) for p, w in zip(net.parameters(), weights))
    with pytest.raises(ValueError, match="precise_bn: num_batches"):
        precise_bn(net, batches, 0)


def test_the_package_exports_the_function():
    import gradbook.train

    assert gradbook.train.precise_bn is precise_bn and "precise_bn" in gradbook.train.__all__
