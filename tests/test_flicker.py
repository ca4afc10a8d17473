import numpy as np
import pytest

from llie_video.flicker import brightness_variance, mabd, warped_error

def _textured(h=64, w=96, seed=0):
    """Random 8x8 blocks: texture the optical flow can lock on to (the same for a seed, whatever
    ran before)."""
    rng = np.random.default_rng(seed)
    return np.kron(rng.random((h // 8, w // 8, 3)) * 200 + 20, np.ones((8, 8, 1))).astype(np.uint8)


def test_static_clip_has_no_flicker():
    frame = _textured()
    frames = [frame] * 5
    # the luma of one frame came out a few ulps apart between calls in a random-order run
    assert brightness_variance(frames) == pytest.approx(0.0, abs=1e-6)
    assert mabd(frames) == pytest.approx(0.0, abs=1e-6)
    assert warped_error(frames, frames) == pytest.approx(0.0, abs=1e-3)


def test_brightness_pumping_is_measured():
    frame = _textured().astype(np.float32)
    frames = [np.clip(frame * g, 0, 255).astype(np.uint8) for g in (1.0, 1.1, 1.0, 1.1)]
    assert brightness_variance(frames) > 1.0
    assert mabd(frames) > 5.0
    assert warped_error(frames, frames) > 5.0


def test_motion_is_not_flicker_for_warped_error():
    big = _textured(160, 240)
    frames = [big[8:72, 2 * t : 2 * t + 96].copy() for t in range(5)]  # a slow pan
    assert mabd(frames) > 5.0  # MABD counts the motion
    assert warped_error(frames, frames) < 0.3 * mabd(frames)  # the warped error does not


def test_bad_lengths_are_refused():
    with pytest.raises(ValueError):
        warped_error([_textured()], [_textured(seed=1)])
