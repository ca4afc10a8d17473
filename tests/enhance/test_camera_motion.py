"""Camera motion: pans and zooms found on block means, frames moved by them."""

import cv2
import numpy as np
import pytest
import torch

from llie_video.enhance.camera_motion import (
    STILL,
    CameraMotion,
    global_motion,
    move_image,
    move_on_device,
)

GEN = torch.Generator().manual_seed(0)


def _texture(seed=0):
    rng = np.random.default_rng(seed)
    return cv2.GaussianBlur(rng.random((90, 140)).astype(np.float32), (0, 0), 3)


def _blocks(image):
    return torch.from_numpy(np.ascontiguousarray(image))[None, None]


@pytest.mark.parametrize(("dy", "dx"), [(0, 2), (-1, 3), (2, -2), (0.375, 1.5), (-0.625, 0.0)])
def test_global_motion_follows_a_pan(dy, dx):
    """Block means moved by ``(dy, dx)`` blocks (4 pixels each), sub-block steps included: the
    shift is found in full-resolution pixels to within a tenth of a pixel."""
    image = _texture()
    moved = cv2.warpAffine(image, np.float32([[1, 0, dx], [0, 1, dy]]), image.shape[::-1],
                           flags=cv2.INTER_LINEAR)
    previous, current = image[20:80, 20:120], moved[20:80, 20:120]
    found = global_motion(_blocks(previous), _blocks(current))
    assert found.dy == pytest.approx(4 * dy, abs=0.1) and found.dx == pytest.approx(4 * dx, abs=0.1)
    assert found.scale == 1.0


@pytest.mark.parametrize(("scale", "dx"), [(1.01, 0.0), (0.994, 1.5), (1.004, -2.0)])
def test_global_motion_follows_a_zoom(scale, dx):
    """A zoom about the centre with a pan (``dx`` blocks): the scale is found to within 0.1%
    and the shift to within a tenth of a pixel."""
    image = _texture(1)
    cy, cx = (image.shape[0] - 1) / 2, (image.shape[1] - 1) / 2
    matrix = np.float32([[scale, 0, (1 - scale) * cx + dx], [0, scale, (1 - scale) * cy]])
    moved = cv2.warpAffine(image, matrix, image.shape[::-1], flags=cv2.INTER_LINEAR)
    previous, current = image[15:75, 20:120], moved[15:75, 20:120]
    found = global_motion(_blocks(previous), _blocks(current))
    assert found.scale == pytest.approx(scale, abs=0.001)
    assert found.dx == pytest.approx(4 * dx, abs=0.1) and found.dy == pytest.approx(0, abs=0.1)


def test_global_motion_ignores_a_static_scene_and_a_small_moving_object():
    scene = _texture()[20:80, 20:120]
    assert global_motion(_blocks(scene), _blocks(scene.copy())) == STILL
    before, after = scene.copy(), scene.copy()
    before[20:30, 10:20] += 3.0  # a bright object moves by 5 blocks; the scene stays
    after[20:30, 15:25] += 3.0
    assert global_motion(_blocks(before), _blocks(after)) == STILL


def test_move_image_zooms_about_the_centre():
    x = torch.zeros(1, 1, 9, 9)
    x[0, 0, 4, 4], x[0, 0, 4, 6] = 1.0, 1.0  # the centre, and a point 2 pixels right of it
    moved = move_image(x, CameraMotion(0, 0, 1.5))  # 2 pixels from the centre -> 3
    assert moved[0, 0, 4, 4] == pytest.approx(1.0) and moved[0, 0, 4, 7] == pytest.approx(1.0)


def test_move_image_moves_content_and_replicates_edges():
    x = torch.arange(12, dtype=torch.float32).reshape(1, 1, 3, 4)
    moved = move_image(x, CameraMotion(0, 1))
    assert moved[0, 0, :, 1:].tolist() == x[0, 0, :, :3].tolist()
    assert moved[0, 0, :, 0].tolist() == x[0, 0, :, 0].tolist()


@pytest.mark.parametrize("motion", [CameraMotion(0.3, -1.7), CameraMotion(-2.25, 0.5, 1.013),
                                    CameraMotion(0, 0, 0.98), CameraMotion(3, 4)])
def test_the_device_move_matches_the_opencv_move(motion):
    """CUDA frames are moved with grid_sample on the device; the same maths on the CPU equals
    OpenCV's move, edges included."""
    x = torch.rand(1, 3, 37, 53, generator=GEN)
    torch.testing.assert_close(move_on_device(x, motion), move_image(x, motion), atol=2e-5, rtol=0)
