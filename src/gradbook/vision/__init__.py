"""Detection priors: boxes, IoU, non-maximum suppression, SSD's default boxes, box coding and matching.

>>> from gradbook.vision import SSD300, ssd_priors
>>> ssd_priors(**SSD300).shape
(8732, 4)
"""
from .boxes import box_area, box_convert, box_iou
from .coder import decode, encode
from .matching import Match, match
from .nms import batched_nms, nms
from .priors import SSD300, priors_per_cell, ssd_priors

__all__ = ["SSD300", "Match", "batched_nms", "box_area", "box_convert", "box_iou", "decode", "encode", "match",
           "nms", "priors_per_cell", "ssd_priors"]
