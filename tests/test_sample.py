import av
import numpy as np
import pytest

from llie_video.errors import UserError
from llie_video.sample import write_sample_clip


def _frame_to_frame_noise(path) -> float:
    """Deviation of the change between two frames in the bottom rows (the lamp passes above)."""
    with av.open(str(path)) as container:
        frames = [f.to_ndarray(format="gray").astype(np.float64)
                  for _, f in zip(range(3), container.decode(video=0))]
    bottom = slice(frames[0].shape[0] * 3 // 4, None)
    return float(np.std(frames[2][bottom] - frames[1][bottom]))


def test_noise_scales_the_sensor_noise(tmp_path):
    noisy = write_sample_clip(tmp_path / "noisy.mp4", 0.2, 96, 64)
    clean = write_sample_clip(tmp_path / "clean.mp4", 0.2, 96, 64, noise=0.25)
    assert _frame_to_frame_noise(clean) < 0.5 * _frame_to_frame_noise(noisy)


def test_rejects_a_non_positive_noise(tmp_path):
    with pytest.raises(UserError):
        write_sample_clip(tmp_path / "x.mp4", 0.2, 96, 64, noise=0.0)
