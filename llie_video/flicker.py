"""Flicker metrics for enhanced video.

All functions take sequences of ``(H, W, 3)`` uint8 RGB frames (numpy) and return Python floats in
8-bit code values.

- :func:`brightness_variance`: variance over time of each frame's mean brightness (global pumping).
- :func:`mabd`: mean absolute brightness difference between consecutive frames, per pixel, then
  averaged (global and local flicker; on a moving scene it also counts real motion).
- :func:`warped_error`: the previous output warped onto the current frame with optical flow
  computed on the *input* frames (OpenCV DIS), occluded pixels masked by a forward-backward check;
  the mean absolute difference that remains is flicker, not motion.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

_LUMA = np.array([0.299, 0.587, 0.114], np.float32)


def luma(frame: np.ndarray) -> np.ndarray:
    """BT.601 luma ``(H, W)`` float32 of an ``(H, W, 3)`` RGB frame."""
    return frame.astype(np.float32) @ _LUMA


def brightness_variance(frames: Sequence[np.ndarray]) -> float:
    """Variance over time of the frames' mean luma."""
    return float(np.var([luma(f).mean() for f in frames]))


def mabd(frames: Sequence[np.ndarray]) -> float:
    """Mean over consecutive pairs of the per-pixel mean ``|Y_t - Y_{t-1}|``."""
    lumas = [luma(f) for f in frames]
    return float(np.mean([np.abs(b - a).mean() for a, b in zip(lumas, lumas[1:])]))


def _flow_image(frame: np.ndarray) -> np.ndarray:
    """8-bit grey image for flow: luma normalised to a mid-grey mean, so that dark frames give
    the flow estimator usable contrast (a global gain does not change the motion)."""
    y = luma(frame)
    return np.clip(y * (110.0 / max(float(y.mean()), 1.0)), 0, 255).astype(np.uint8)


def _warp(image: np.ndarray, flow: np.ndarray) -> np.ndarray:
    """Sample ``image`` at ``p + flow(p)`` (bilinear, borders replicated)."""
    h, w = flow.shape[:2]
    grid_x, grid_y = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    return cv2.remap(image, grid_x + flow[..., 0], grid_y + flow[..., 1], cv2.INTER_LINEAR,
                     borderMode=cv2.BORDER_REPLICATE)


def warped_error(
    inputs: Sequence[np.ndarray], outputs: Sequence[np.ndarray], occlusion_px: float = 1.0
) -> float:
    """Mean ``|out_t - warp(out_{t-1})|`` over pixels visible in both frames.

    Flow from frame ``t`` to ``t-1`` is computed on the inputs; a pixel counts as occluded (and is
    left out) when following the flow back and forth misses it by more than ``occlusion_px``.
    """
    if len(inputs) != len(outputs) or len(inputs) < 2:
        raise ValueError("need two or more input frames and as many outputs")
    dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)
    errors = []
    grey = [_flow_image(f) for f in inputs]
    for t in range(1, len(inputs)):
        backward = dis.calc(grey[t], grey[t - 1], None)  # t -> t-1
        forward = dis.calc(grey[t - 1], grey[t], None)  # t-1 -> t
        round_trip = backward + _warp(forward, backward)
        visible = np.linalg.norm(round_trip, axis=-1) <= occlusion_px
        warped = _warp(outputs[t - 1].astype(np.float32), backward)
        difference = np.abs(outputs[t].astype(np.float32) - warped).mean(axis=-1)
        if visible.any():
            errors.append(float(difference[visible].mean()))
    return float(np.mean(errors)) if errors else 0.0
