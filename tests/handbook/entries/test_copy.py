import copy

import torch

from gradbook import handbook


def test_copy_numbers_and_verdicts_match_python_and_torch_semantics():
    r = handbook.run("copy", quick=True)
    # the same experiment on PyTorch's Module, as the independent twin
    class T(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1, self.fc2 = torch.nn.Linear(4, 3), torch.nn.Linear(3, 2)

    m = T()
    shallow, deep = copy.copy(m), copy.deepcopy(m)
    assert r.numbers["shallow_shares_parameters"] == (shallow.fc1.weight is m.fc1.weight)
    assert r.numbers["deep_shares_parameters"] == (deep.fc1.weight is m.fc1.weight)
    shallow.fc2 = torch.nn.Linear(3, 2)
    assert r.numbers["rebinding_in_shallow_changes_original"] == (m.fc2 is shallow.fc2)
    assert r.numbers["alias_sees_update"] and r.numbers["shallow_sees_update"] and not r.numbers["deep_sees_update"]
    assert r.verdicts == {"assignment-is-shallow-copy": "corrected", "shallow-shares-children": "confirmed",
                          "deep-is-independent": "confirmed"}
