"""The photo report's shrinking keeps aspect ratio and even sides."""

import numpy as np

from llie_video.image_report import shrunk


def test_shrunk_fits_the_long_side_with_even_sides_and_leaves_small_photos_alone():
    photo = np.zeros((601, 1001, 3), np.uint8)
    assert shrunk(photo, 500).shape == (300, 500, 3)
    assert shrunk(photo, None) is photo
    assert shrunk(photo, 2000) is photo
    assert shrunk(np.zeros((1000, 10, 3), np.uint8), 100).shape == (100, 2, 3)
