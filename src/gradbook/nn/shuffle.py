"""``ChannelShuffle``: ShuffleNet's permutation of channels between grouped convolutions."""
from __future__ import annotations

from ..autograd.tensor import Tensor
from ..ops.shape import channel_shuffle, check_shuffle_groups
from .module import Module

__all__ = ["ChannelShuffle"]


class ChannelShuffle(Module):
    """Channels viewed as (groups, C/groups), transposed and flattened back: channel
    g·(C/groups) + k goes to k·groups + g. Placed between two grouped convolutions it lets every
    group of the second see every group of the first. Shapes: (N, C, *) → (N, C, *), C divisible
    by ``groups``."""

    def __init__(self, groups: int):
        super().__init__()
        self.groups = check_shuffle_groups("ChannelShuffle", groups)

    def forward(self, input: Tensor) -> Tensor:
        return channel_shuffle(input, self.groups, op=self)

    def extra_repr(self) -> str:
        return f"groups={self.groups}"
