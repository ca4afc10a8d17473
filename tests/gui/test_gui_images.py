"""Frame pixels to QImages: the size a view shows, and the colours of the scaled conversion."""

from __future__ import annotations

import av
import numpy as np
import pytest

from gui.images import display_image, display_size, qimage_to_array


@pytest.mark.parametrize("size, rotation, box, expected", [
    ((1280, 720), 0, (640, 640), (640, 360)),
    ((1280, 720), 0, (2000, 2000), (1280, 720)),  # never larger than the frame
    ((1280, 720), 90, (360, 1000), (640, 360)),  # upright it is 720 wide: halved to fit
    ((1280, 720), 0, None, (1280, 720)),
])
def test_display_size(size, rotation, box, expected):
    assert display_size(*size, rotation, box) == expected


def decoded_frame(rgb: np.ndarray) -> av.VideoFrame:
    """``rgb`` as a decoder hands it over: yuv420p."""
    return av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p")


def test_a_decoded_frame_scaled_for_display_keeps_its_colours():
    rng = np.random.default_rng(0)
    rgb = np.repeat(np.repeat(rng.integers(20, 235, (9, 16, 3), dtype=np.uint8), 40, 0), 40, 1)
    frame = decoded_frame(rgb)
    full = qimage_to_array(display_image(frame))
    shown = qimage_to_array(display_image(frame, box=(320, 320)))
    assert full.shape == (360, 640, 3) and shown.shape == (180, 320, 3)
    # each 40x40 block of one colour is a 20x20 block on screen: compare the block centres
    assert np.abs(shown[10::20, 10::20].astype(int) - full[20::40, 20::40]).max() <= 2


def test_rotated_frames_are_shown_upright():
    rgb = np.zeros((64, 96, 3), np.uint8)
    rgb[:, -10:] = 200  # the right edge is bright; turned 90 degrees it is at the top
    shown = qimage_to_array(display_image(decoded_frame(rgb), rotation=90, box=(32, 48)))
    assert shown.shape == (48, 32, 3)
    assert shown[:5].mean() > shown[-5:].mean() + 100
