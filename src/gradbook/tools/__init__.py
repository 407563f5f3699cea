"""Command-line tools that are not machine learning but live next to it: ``topk`` finds the most
repeated lines of a file of any size in bounded memory."""
from __future__ import annotations

from .topk import TopKResult, TopKStats, count_top_k, parse_size, top_k_lines

__all__ = ["TopKResult", "TopKStats", "count_top_k", "parse_size", "top_k_lines"]
