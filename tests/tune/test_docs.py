"""The example in gradbook.tune's docstring runs and prints what it says."""
import doctest

import gradbook.tune


def test_docstring_examples():
    result = doctest.testmod(gradbook.tune)
    assert result.attempted > 0 and result.failed == 0
