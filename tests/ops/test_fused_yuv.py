import numpy as np
import pytest

from llie_video.ops import fused_yuv


@pytest.mark.parametrize("exponent", [0.2, 0.4, 1 / 2.2, 1.0, 1.25, 2.5, 6.0])
def test_power_row_matches_numpy_down_to_black(exponent: float) -> None:
    x = np.concatenate([np.linspace(0, 1, 4097), np.geomspace(1e-9, 1e-2, 200), [-0.1, 1.2]])
    row = x.astype(np.float32)
    fused_yuv._apply_power(row, np.float32(exponent))
    expected = np.clip(x, 0, 1) ** exponent
    assert np.abs(row - expected).max() < 1e-5  # a 16-bit code is 1.5e-5
    assert np.all(np.diff(row[:4097]) >= 0)  # monotonic: a ramp stays a ramp
