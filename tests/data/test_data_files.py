"""FileDataset: images and .npy files read on demand, by reader threads, through the DataLoader."""
import threading

import numpy as np
import pytest
from PIL import Image

from gradbook.data import DataFormatError, DataLoader, FileDataset, read_file


@pytest.fixture
def files(tmp_path):
    """6 greyscale PNGs, 2 RGB PNGs and 4 .npy files with known contents."""
    rng = np.random.default_rng(0)
    grey = rng.integers(0, 256, size=(6, 5, 7), dtype=np.uint8)
    rgb = rng.integers(0, 256, size=(2, 5, 7, 3), dtype=np.uint8)
    arrays = rng.standard_normal((4, 3, 4)).astype(np.float32)
    paths = []
    for i, a in enumerate(grey):
        Image.fromarray(a, mode="L").save(tmp_path / f"g{i}.png")
        paths.append(str(tmp_path / f"g{i}.png"))
    for i, a in enumerate(rgb):
        Image.fromarray(a, mode="RGB").save(tmp_path / f"c{i}.png")
        paths.append(str(tmp_path / f"c{i}.png"))
    for i, a in enumerate(arrays):
        np.save(tmp_path / f"a{i}.npy", a)
        paths.append(str(tmp_path / f"a{i}.npy"))
    return paths, grey, rgb, arrays


def test_images_read_as_chw_floats_and_npy_as_stored(files):
    paths, grey, rgb, arrays = files
    for i in range(6):  # PNG is lossless: the pixels come back exactly, scaled to [0, 1], channel first
        np.testing.assert_array_equal(read_file(paths[i]), grey[i][None].astype(np.float32) / 255)
    for i in range(2):
        np.testing.assert_array_equal(read_file(paths[6 + i]), rgb[i].transpose(2, 0, 1).astype(np.float32) / 255)
    for i in range(4):
        out = read_file(paths[8 + i])
        assert out.dtype == np.float32
        np.testing.assert_array_equal(out, arrays[i])


def test_bad_files_get_clear_errors(tmp_path):
    np.save(tmp_path / "obj.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(DataFormatError, match="obj.npy.*not a plain .npy"):
        read_file(tmp_path / "obj.npy")  # a pickle is never loaded
    (tmp_path / "fake.png").write_bytes(b"not a png")
    with pytest.raises(DataFormatError, match="fake.png.*not an image"):
        read_file(tmp_path / "fake.png")
    (tmp_path / "x.txt").write_text("1 2 3")
    with pytest.raises(DataFormatError, match="expected a .npy file or an image.*'.txt'"):
        read_file(tmp_path / "x.txt")
    with pytest.raises(FileNotFoundError, match="no such file"):
        read_file(tmp_path / "missing.npy")
    with pytest.raises(ValueError, match="2 paths but 1 labels"):
        FileDataset(["a.npy", "b.npy"], labels=[0])
    with pytest.raises(ValueError, match="num_threads must be a positive int, got 0"):
        FileDataset(["a.npy"], num_threads=0)
    with pytest.raises(ValueError, match="list of file paths"):
        FileDataset("a.npy")
    with pytest.raises(IndexError, match="index 3 out of range for 1 files"):
        FileDataset(["a.npy"])[3]


def test_reader_threads_read_a_batch_in_order(files):
    paths = files[0][:6]
    seen = []

    def reader(path):
        seen.append(threading.current_thread().name)
        return read_file(path)

    serial = FileDataset(paths, labels=list(range(6)))
    threaded = FileDataset(paths, labels=list(range(6)), num_threads=3, reader=reader)
    order = [5, 0, 3, 1, 4, 2]
    for (a, la), (b, lb) in zip(serial.__getitems__(order), threaded.__getitems__(order)):
        np.testing.assert_array_equal(a, b)
        assert la == lb
    assert [lb for _, lb in threaded.__getitems__(order)] == order
    assert all(name.startswith("gradbook-FileDataset") for name in seen)
    threaded.close()
    assert threaded._pool is None


def test_loader_over_files_gives_every_file_once_per_shuffled_pass(files):
    paths, grey, _, _ = files
    ds = FileDataset(paths[:6], labels=np.arange(6), num_threads=2)
    loader = DataLoader(ds, batch_size=4, shuffle=True, prefetch=2, seed=0)
    orders = []
    for _ in range(3):
        labels = []
        for x, y in loader:
            assert x.shape[1:] == (1, 5, 7) and str(x.dtype) == "float32"
            for image, label in zip(x.data, y.data):  # each image is the file its label names
                np.testing.assert_array_equal(image, grey[label][None].astype(np.float32) / 255)
            labels += y.data.tolist()
        assert sorted(labels) == list(range(6))
        orders.append(labels)
    assert len({tuple(o) for o in orders}) > 1  # a new order each pass
