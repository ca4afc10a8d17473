"""Pure tensor operations shared by training, inference, the video stage and the tests.

Every function takes and returns float tensors laid out ``(B, C, H, W)`` with values in ``[0, 1]``
unless its docstring says otherwise. Nothing here holds weights.
"""

from llie_video.ops.color import adjust_gamma, blend, luma, rgb_to_yuv, yuv_to_rgb
from llie_video.ops.curves import apply_curves
from llie_video.ops.resize import downscale, upsample_params
from llie_video.ops.retinex import divide_by_illumination

__all__ = [
    "adjust_gamma",
    "apply_curves",
    "blend",
    "divide_by_illumination",
    "downscale",
    "luma",
    "rgb_to_yuv",
    "upsample_params",
    "yuv_to_rgb",
]
