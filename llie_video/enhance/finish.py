"""How the enhance stage finishes one frame's render (shared by the torch and fused paths)."""

from __future__ import annotations

from dataclasses import dataclass, field

from llie_video.ops.input_levels import InputLevels


@dataclass(frozen=True)
class FrameFinish:
    """How one frame's render is finished, in this order: ``render_gamma`` on the render's luma
    (the brightness ceiling's, :mod:`llie_video.ops.exposure`; :func:`llie_video.ops.color.luma_gamma`), highlight protection with
    ``headroom`` (:mod:`llie_video.ops.highlights`), ``saturation`` (the chroma of the result
    scaled about its luma), the blend with the input at ``strength``, then the user's ``gamma``
    on the result (so it brightens or darkens the picture as shown, whatever the ceiling did).
    ``guided``: the parameters arrive as guided-filter coefficients (:mod:`llie_video.ops.guided`)
    to be applied to the full-resolution luma. ``shadow``: the input luma below which colour
    fades to grey (0: none; :func:`llie_video.ops.color.shadow_weight`). ``levels``: the black point and white balance
    applied to the input before the render (:mod:`llie_video.ops.input_levels`)."""

    render_gamma: float
    headroom: float
    strength: float
    gamma: float
    saturation: float = 1.0
    guided: bool = False
    shadow: float = 0.0
    levels: InputLevels = field(default_factory=InputLevels)
