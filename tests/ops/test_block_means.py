import numpy as np
import pytest

from llie_video.ops.block_means import block_means


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32])
def test_whole_blocks_are_their_means(dtype):
    rng = np.random.default_rng(0)
    plane = (rng.random((8, 12)) * 200).astype(dtype)
    expected = plane.astype(np.float64).reshape(2, 4, 3, 4).mean(axis=(1, 3))
    assert np.allclose(block_means(plane, 4), expected, atol=1e-4)


def test_partial_edge_blocks_average_what_they_cover():
    plane = np.arange(7 * 10, dtype=np.float32).reshape(7, 10)
    means = block_means(plane, 4)
    assert means.shape == (2, 3)
    assert means[1, 2] == pytest.approx(plane[4:7, 8:10].mean())
    assert means[0, 2] == pytest.approx(plane[0:4, 8:10].mean())
    assert means[1, 0] == pytest.approx(plane[4:7, 0:4].mean())


def test_reads_a_padded_view_in_place():
    padded = np.zeros((8, 16), np.uint8)
    padded[:, :12] = 40
    padded[:, 12:] = 255  # row padding past the picture must not leak in
    assert np.allclose(block_means(padded[:, :12], 4), 40.0)


def test_rejects_a_non_plane():
    with pytest.raises(ValueError):
        block_means(np.zeros((2, 4, 3), np.float32), 4)
