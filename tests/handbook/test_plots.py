"""handbook.plots.image_row: one titled, tick-free panel per image, single image included."""
import matplotlib.pyplot as plt
import numpy as np
import pytest

from gradbook.handbook.plots import image_row


@pytest.mark.parametrize("count", [1, 3])
def test_image_row_panels(count):
    images = [(f"panel {k}", np.arange(4.0).reshape(2, 2) * k) for k in range(count)]
    fig, axs = image_row(images, cmap="Blues")
    try:
        assert len(axs) == count
        for ax, (title, image) in zip(axs, images):
            assert ax.get_title() == title
            assert list(ax.get_xticks()) == [] and list(ax.get_yticks()) == []
            np.testing.assert_array_equal(ax.get_images()[0].get_array(), image)
        assert fig.get_size_inches()[0] == pytest.approx(3.0 * count)
    finally:
        plt.close(fig)


def test_image_row_writes_all_or_only_nonzero_values():
    image = np.array([[0.0, 1.5], [2.0, 0.0]])
    for annotate, want in (("all", ["0", "1.5", "2", "0"]), ("nonzero", ["1.5", "2"]), (None, [])):
        fig, axs = image_row([("x", image)], annotate=annotate)
        try:
            assert [t.get_text() for t in axs[0].texts] == want
        finally:
            plt.close(fig)
