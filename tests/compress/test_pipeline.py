"""Every method of the compression pipeline writes a real file that loads back to a model
scoring exactly as the one in memory, and the sizes order as the encodings say they must."""
import numpy as np
import pytest

from gradbook import backend
from gradbook.compress import fileformat, pipeline
from gradbook.models import MLP


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory):
    rng = np.random.default_rng(0)
    centres = rng.standard_normal((4, 16)) * 2
    y = rng.integers(0, 4, 400)
    X = (centres[y] + rng.standard_normal((400, 16))).astype(np.float32)
    backend.manual_seed(0)
    model = MLP([16, 32, 32, 4])
    s = pipeline.Settings(epochs=1, student_epochs=2, student_hidden=8, batch_size=100, lr=1e-2)
    pipeline.fine_tune(model, X[:300], y[:300], s, epochs=5)
    out = pipeline.run(model, (X[:300], y[:300]), (X[300:], y[300:]), str(tmp_path_factory.mktemp("c")), s,
                       base=lambda: MLP([16, 32, 32, 4]))
    return {o.method: o for o in out}


def test_every_method_reloads_to_the_model_in_memory(outcomes):
    assert list(outcomes) == list(pipeline.METHODS)
    for o in outcomes.values():
        assert o.accuracy == o.details["accuracy_in_memory"], o.method
        state, _ = fileformat.load(o.details["path"])
        assert o.file_bytes > o.payload_bytes > 0


def test_sizes_follow_the_encodings(outcomes):
    dense, pruned = outcomes["dense"], outcomes["prune"]
    n = dense.parameters
    assert dense.payload_bytes == 4 * n
    assert pruned.details["sparsity"] == pytest.approx(0.8, abs=1e-3)
    # 80% of the weights gone, one mask bit per weight: about 0.2 * 32 + 1 bits per weight
    assert pruned.payload_bytes < 0.3 * dense.payload_bytes
    q, qh, pqh = outcomes["quantise"], outcomes["quantise+huffman"], outcomes["prune+quantise+huffman"]
    assert qh.payload_bytes <= q.payload_bytes < 0.2 * dense.payload_bytes
    assert pqh.payload_bytes < qh.payload_bytes
    h, bits = q.details["index_entropy"], q.details["index_huffman_bits"]
    assert h <= bits < h + 1
    assert outcomes["bwn"].payload_bytes < dense.payload_bytes
    assert outcomes["svd"].parameters < dense.parameters
    assert outcomes["student"].parameters == outcomes["distilled"].parameters == 16 * 8 + 8 + 8 * 4 + 4


def test_bad_settings_are_named():
    with pytest.raises(ValueError, match="sparsity"):
        pipeline.Settings(sparsity=1.2).check()
    with pytest.raises(ValueError, match="bits"):
        pipeline.Settings(bits=0).check()
    with pytest.raises(ValueError, match="energy"):
        pipeline.Settings(energy=0).check()
    with pytest.raises(ValueError, match="unknown method"):
        pipeline.run(MLP([2, 2]), (np.zeros((2, 2)), np.zeros(2, int)), (np.zeros((2, 2)), np.zeros(2, int)), ".",
                     methods=("zip",))
