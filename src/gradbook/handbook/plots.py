"""Small plotting helpers shared by handbook entries (matplotlib, Agg backend)."""
from __future__ import annotations

import numpy as np


def image_row(images: list[tuple[str, np.ndarray]], panel_size: tuple[float, float] = (3.0, 3.0),
              fontsize: int = 10, **imshow_options):
    """One row of images without ticks, each under its title; returns (figure, axes) so that a
    caller can draw on the panels before handing the figure to :meth:`Result.figure`."""
    import matplotlib.pyplot as plt

    fig, axs = plt.subplots(1, len(images), figsize=(panel_size[0] * len(images), panel_size[1]))
    for ax, (title, image) in zip(np.atleast_1d(axs), images):
        ax.imshow(image, **imshow_options)
        ax.set_title(title, fontsize=fontsize)
        ax.set_xticks([])
        ax.set_yticks([])
    return fig, np.atleast_1d(axs)
