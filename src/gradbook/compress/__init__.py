"""``gradbook.compress``: making a trained network smaller, each idea in its own module.

* :mod:`.prune` — magnitude / structured pruning with masks (``torch.nn.utils.prune``'s semantics);
* :mod:`.quantize` — k-means weight sharing (Han et al. 2016) with centroid fine-tuning;
* :mod:`.huffman` — Huffman coding of the shared-weight indices and of the sparse index gaps;
* :mod:`.binary` — BinaryConnect / BWN / XNOR layers trained with the straight-through estimator;
* :mod:`.lowrank` — SVD factorisation of Linear layers and Tucker-2 decomposition of convolutions;
* :mod:`.distill` — Hinton's distillation loss and a student-training recipe;
* :mod:`.fileformat` — a safe ``.npz`` file for all of the above that loads back to dense weights;
* :mod:`.pipeline` — the runs behind ``gradbook compress``: size on disk against accuracy.
"""
from . import binary, distill, fileformat, huffman, lowrank, prune, quantize  # noqa: F401
from .binary import binarize  # noqa: F401
from .distill import distillation_loss  # noqa: F401
from .lowrank import factorize, svd_linear, tucker2_conv  # noqa: F401

__all__ = ["binary", "distill", "fileformat", "huffman", "lowrank", "prune", "quantize", "binarize",
           "distillation_loss", "factorize", "svd_linear", "tucker2_conv"]
