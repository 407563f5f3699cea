"""The error a data file raises when it is not what its format says it is."""
from __future__ import annotations


class DataFormatError(ValueError):
    """A data file is corrupt, truncated or not in the expected format.

    The message names the file and what is wrong (bad magic number, size that disagrees with the
    header, an out-of-range label...). A ``ValueError``, so ``except ValueError`` still catches it.
    """
