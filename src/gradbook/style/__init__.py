"""``gradbook.style``: neural style transfer (Gatys et al., 2016) — Gram-matrix style loss, content
loss, total variation, offline CNNs (random filters, or filters trained on the embedded digits) and
``transfer`` optimising the image itself.

>>> import numpy as np
>>> from gradbook.style import transfer
>>> rng = np.random.default_rng(0)
>>> result = transfer(rng.random((3, 16, 16)), rng.random((3, 16, 16)), steps=3)
>>> result.image.shape, len(result.history["total"])
((3, 16, 16), 4)
"""
from .extractor import FeatureExtractor, digits_cnn, random_cnn
from .losses import content_loss, gram_matrix, style_loss, total_variation_loss
from .transfer import DEFAULT_WEIGHTS, TransferResult, transfer

__all__ = ["DEFAULT_WEIGHTS", "FeatureExtractor", "TransferResult", "content_loss", "digits_cnn", "gram_matrix",
           "random_cnn", "style_loss", "total_variation_loss", "transfer"]
