"""Small plotting helpers shared by handbook entries (matplotlib, Agg backend)."""
from __future__ import annotations

import numpy as np


def image_row(images: list[tuple[str, np.ndarray]], panel_size: tuple[float, float] = (3.0, 3.0),
              fontsize: int = 10, annotate: str | None = None, annotation_size: int = 9, **imshow_options):
    """One row of images without ticks, each under its title, with every value (``annotate="all"``)
    or the nonzero ones (``"nonzero"``) written in its cell; returns (figure, axes) so that a
    caller can draw more before handing the figure to :meth:`Result.figure`."""
    import matplotlib.pyplot as plt

    fig, axs = plt.subplots(1, len(images), figsize=(panel_size[0] * len(images), panel_size[1]))
    for ax, (title, image) in zip(np.atleast_1d(axs), images):
        ax.imshow(image, **imshow_options)
        ax.set_title(title, fontsize=fontsize)
        ax.set_xticks([])
        ax.set_yticks([])
        if annotate:
            for (i, j), v in np.ndenumerate(image):
                if annotate == "all" or v:
                    ax.text(j, i, f"{v:g}", ha="center", va="center", fontsize=annotation_size)
    return fig, np.atleast_1d(axs)
