"""Convolutions (``conv2d``, ``conv_transpose2d``, ``conv1d``), NCHW, each a Function with a
hand-written backward.

The family, one idea a file:

- :mod:`.reference`: the plain im2col conv2d, forward and backward on one screen: the definition
  every fast path is tested against;
- :mod:`.dispatch`: the one place that picks a fast path for a shape (and lists every path);
- fast paths: :mod:`.columns` (the column product, its columns laid out per shape: shifted taps
  :mod:`.shifted`, sample innermost :mod:`.batch_inner`, sample-major, channel-major), on flat
  grids :mod:`.flat`; :mod:`.winograd` (F(2x2, 3x3)); depthwise: :mod:`.depthwise_dense` (maps
  of at most 64 pixels), :mod:`.depthwise_same` ('same' size), :mod:`.depthwise` (other stride-1),
  :mod:`.depthwise_polyphase` (3x3, stride 2, padding 1: MobileNet's downsampling),
  :mod:`.depthwise_strided` (other strides);
- :mod:`.transpose`: conv_transpose2d, the adjoint of conv2d's input map;
- :mod:`.grads`: conv2d's gradients as differentiable ops, shared by every path, so double
  backward (``create_graph=True``) works whichever path ran;
- :mod:`.functional`: the public functions and their argument checks.
"""
from __future__ import annotations

from . import grads  # noqa: F401  first: the paths and grads import each other (as modules)
from .columns import Conv2d, Conv2dWeightGrad
from .depthwise import DepthwiseConv2d
from .functional import EmptyBatchConv, _conv2d, _conv_transpose2d, conv1d, conv2d, conv_transpose2d
from .reference import ReferenceConv2d
from .transpose import ConvTranspose2d

__all__ = ["conv1d", "conv2d", "conv_transpose2d"]
