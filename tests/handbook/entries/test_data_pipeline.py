"""data-pipeline: the files the entry writes decode (with Pillow directly) to the MNIST images, the
rates respect the bounds a timing model gives independently, and every verdict follows from the numbers."""
import numpy as np
import pytest
from PIL import Image

from gradbook import handbook
from gradbook.data import mnist_sample
from gradbook.handbook.entries.data_pipeline import BATCH, LATENCY_S, MIN_GAIN, THREADS, write_files


@pytest.fixture(scope="module")
def r():
    return handbook.run("data-pipeline", quick=True)


def test_written_files_hold_the_images(tmp_path):
    images = mnist_sample()[0].tensors[0][:5]
    pngs, npys = write_files(str(tmp_path), images)
    for image, png, npy in zip(images, pngs, npys):
        with Image.open(png) as im:
            pixels = np.asarray(im)
        assert im.mode == "L" and np.array_equal(pixels, np.rint(image[0] * 255).astype(np.uint8))
        np.testing.assert_array_equal(np.load(npy, allow_pickle=False)[0], pixels / np.float32(255))


def test_rates_obey_the_timing_model(r):
    n = r.numbers
    assert n["passes_each_file_once"] and n["images_exact"] and n["order_changes"]
    # one thread behind a 1 ms wait per file reads at most 1000 files a second; T threads at most T times more
    assert n["slow_rate_1_thread"] <= 1 / LATENCY_S
    assert n[f"slow_rate_{THREADS}_threads"] <= THREADS / LATENCY_S
    # every batch waits one step (a sleep), prefetching or not: neither beats the step alone
    step_s = n["step_ms"] / 1e3
    assert np.isclose(n["rate_step_only"], BATCH / step_s)
    assert n["rate_no_prefetch"] < n["rate_step_only"]
    assert n["rate_prefetch"] <= 1.05 * n["rate_step_only"]  # (the last batch is smaller)
    assert np.isclose(n["prefetch_gain"], n["rate_prefetch"] / n["rate_no_prefetch"])
    assert np.isclose(n["thread_gain_local"], n[f"png_rate_{THREADS}_threads"] / n["png_rate_1_thread"])


def test_verdicts_follow_the_numbers(r):
    n = r.numbers
    threads = ("confirmed" if n["thread_gain_local"] >= THREADS / 2 else
               "depends" if n["thread_gain_slow"] >= MIN_GAIN else "corrected")
    assert r.verdicts == {
        "pipeline-works": "confirmed",
        "reader-threads": threads,
        "prefetch-overlaps": "confirmed" if n["prefetch_gain"] >= MIN_GAIN else "depends",
        "preprocess-then-batch": "confirmed" if n["batching_first_gain"] < MIN_GAIN else "depends",
    }
