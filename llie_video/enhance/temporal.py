"""The one owner of what the enhance stage carries from frame to frame.

Four pieces of state make a video more than a series of images: the parameter smoother (the
curves of recent frames, and the scene-cut detector), the temporal noise filter (the previous
frame on the torch routes, the camera's motion), the input levels' history (black point, white
balance gains) and, on the fused path, the previous frame's noise-reduced planes. They are reset
together (a seek, a reconnect, an unrelated image) and, after a scene cut that the smoother
detects, all but the smoother itself (which restarts on the new scene's curves).
"""

from __future__ import annotations

from llie_video.enhance.camera_motion import STILL
from llie_video.enhance.temporal_denoise import TemporalDenoiser
from llie_video.enhance.input_correction import InputCorrection
from llie_video.enhance.plane_render import PreviousPlanes
from llie_video.enhance.smoothing import ParamSmoother


class TemporalState:
    """The stage's memory between frames (see the module's text)."""

    def __init__(self) -> None:
        self.smoother = ParamSmoother()
        self.denoiser = TemporalDenoiser()
        self.input_correction = InputCorrection()
        self.previous_planes = PreviousPlanes()

    @property
    def camera_still(self) -> bool:
        """Whether the camera stood still for the previous frame (a camera that moved is likely
        still moving, so its parameters are estimated afresh)."""
        return self.denoiser.last_motion == STILL

    def reset(self) -> None:
        """Forget everything: the next frame is treated as the first."""
        self.smoother.reset()
        self.after_scene_cut()

    def after_scene_cut(self) -> None:
        """Forget what the frames before a cut would wrongly carry into the new scene."""
        self.denoiser.reset()
        self.input_correction.reset()
        self.previous_planes.reset()
