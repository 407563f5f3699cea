"""Fast path: columns with the sample as the innermost axis, ((C, H, W, N) grids), for narrow maps."""
from __future__ import annotations

import numpy as np

from .._windows import Pads, col2im, place, windows

__all__: list[str] = []  # internal to the conv family


def fits(n: int, out_w: int) -> bool:
    """Whether conv2d lays its columns out with the sample as the innermost axis ((C, H, W, N)
    grids, :func:`columns`): its copies and strided adds then run over OW·N (or N)
    contiguous values instead of OW, worth the transposes around them only for narrow maps.
    Measured: dx alone 2x faster for 8x8 and 10x10 maps at batch 32-256 (a LeNet's second conv),
    5-10% slower for 16x16 and 32x32; the forward of a LeNet's second conv at batch 256 4.9 → 3.4 ms."""
    return out_w <= 12 and n >= 16


def columns(x: np.ndarray, pads: Pads, kernel, stride, dilation, out_hw) -> np.ndarray:
    """im2col's rows (c, i, j) with the sample as the innermost axis, (C·KH·KW, OH·OW·n) for the
    samples ``x`` (n, C, H, W): for narrow maps (:func:`fits`) each copied run is OW·n
    values long instead of OW (one window row of every sample at once)."""
    n, c, h, w = x.shape
    top, bottom, left, right = pads
    grid = np.empty((c, h + top + bottom, w + left + right, n), dtype=x.dtype).transpose(3, 0, 1, 2)
    place(grid, x, (top, left))  # a (n, C, Hp, Wp) view of (C, Hp, Wp, n) memory
    view = windows(grid, kernel, stride, dilation, out_hw)  # (n, C, KH, KW, OH, OW)
    cols = np.empty((c, *kernel, *out_hw, n), dtype=x.dtype)
    np.copyto(cols, view.transpose(1, 2, 3, 4, 5, 0))
    return cols.reshape(c * kernel[0] * kernel[1], -1)


def input_grad(g, wg, x_shape, pads: Pads, kernel, stride, dilation, out_hw) -> np.ndarray:
    """conv2d's dx (n, C, H, W) (a view) from dy as ``g`` (G, O/G, OH·OW·n), the sample innermost:
    Wᵀ g summed back onto a (C, Hp, Wp, n) grid, one strided add per kernel offset over runs of n."""
    c, h, w = x_shape[1:]
    top, bottom, left, right = pads
    dcols = np.matmul(wg.transpose(0, 2, 1), g).reshape(c, *kernel, *out_hw, -1)
    dxp = col2im(dcols, (h + top + bottom, w + left + right), stride, dilation, batch_inner=True)
    return dxp[:, top:top + h, left:left + w].transpose(3, 0, 1, 2)
