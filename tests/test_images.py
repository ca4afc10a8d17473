"""Still images and folders of images: read and written with OpenCV, safely, each on its own."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import torch

from llie_video import UserError, create_model
from llie_video.images import enhance_folder, enhance_image, is_image_path, read_rgb, write_rgb
from llie_video.enhance.stage import EnhanceStage


@pytest.fixture(scope="module")
def stage():
    return EnhanceStage(create_model("default", pretrained=True), torch.device("cpu"))


def _dark(seed: int, size: tuple[int, int] = (40, 60)) -> np.ndarray:
    return (np.random.default_rng(seed).random((*size, 3)) * 50).astype(np.uint8)


def test_image_paths_by_suffix(tmp_path):
    assert is_image_path(tmp_path / "a.PNG") and is_image_path(tmp_path / "b.jpeg")
    assert not is_image_path(tmp_path / "c.mp4") and not is_image_path(tmp_path / "noext")


def test_read_gives_rgb_whatever_the_file_holds(tmp_path):
    rgb = _dark(0)
    cv2.imwrite(str(tmp_path / "colour.png"), rgb[..., ::-1])  # OpenCV writes BGR
    np.testing.assert_array_equal(read_rgb(tmp_path / "colour.png"), rgb)
    cv2.imwrite(str(tmp_path / "grey.png"), rgb[..., 0])
    grey = read_rgb(tmp_path / "grey.png")
    assert grey.shape == (40, 60, 3) and (grey == rgb[..., :1]).all()
    rgba = np.dstack([rgb[..., ::-1], np.full((40, 60), 128, np.uint8)])
    cv2.imwrite(str(tmp_path / "alpha.png"), rgba)
    np.testing.assert_array_equal(read_rgb(tmp_path / "alpha.png"), rgb)


def test_unreadable_images_are_user_errors(tmp_path):
    with pytest.raises(UserError, match="input not found"):
        read_rgb(tmp_path / "none.png")
    (tmp_path / "text.png").write_text("not an image")
    with pytest.raises(UserError, match="cannot read .*text.png as an image"):
        read_rgb(tmp_path / "text.png")


def test_write_is_all_or_nothing(tmp_path):
    rgb = _dark(1)
    write_rgb(tmp_path / "out.png", rgb)
    np.testing.assert_array_equal(read_rgb(tmp_path / "out.png"), rgb)
    with pytest.raises(UserError, match="cannot write .*out.png: No such file or directory"):
        write_rgb(tmp_path / "nowhere" / "out.png", rgb)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.png"]  # no partial file either


def test_enhance_image_refuses_to_overwrite_and_unknown_formats(tmp_path, stage):
    cv2.imwrite(str(tmp_path / "in.png"), _dark(2))
    target = tmp_path / "out.png"
    target.write_bytes(b"keep me")
    with pytest.raises(UserError, match="exists; pass -y"):
        enhance_image(tmp_path / "in.png", target, stage, overwrite=False)
    assert target.read_bytes() == b"keep me"
    with pytest.raises(UserError, match="unsupported image format '.gif'"):
        enhance_image(tmp_path / "in.png", tmp_path / "out.gif", stage, overwrite=False)
    enhance_image(tmp_path / "in.png", target, stage, overwrite=True)
    assert read_rgb(target).mean() > _dark(2).mean() + 20


def test_images_in_a_folder_are_enhanced_each_on_its_own(tmp_path, stage):
    """No temporal smoothing carries over from one photo to the next: an image comes out the
    same whatever came before it."""
    folder = tmp_path / "in"
    folder.mkdir()
    bright = np.clip(_dark(3).astype(int) * 4, 0, 255).astype(np.uint8)
    cv2.imwrite(str(folder / "a.png"), bright[..., ::-1])
    cv2.imwrite(str(folder / "b.png"), _dark(4)[..., ::-1])
    (folder / "notes.txt").write_text("skipped")
    seen = []
    assert enhance_folder(folder, tmp_path / "out", stage, False, on_image=seen.append) == 2
    assert [p.name for p in seen] == ["a.png", "b.png"]
    enhance_image(folder / "b.png", tmp_path / "b_alone.png", stage, overwrite=False)
    np.testing.assert_array_equal(read_rgb(tmp_path / "out" / "b.png"),
                                  read_rgb(tmp_path / "b_alone.png"))


def test_folder_mistakes(tmp_path, stage):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(UserError, match="no images in"):
        enhance_folder(empty, tmp_path / "out", stage, False)
    folder = tmp_path / "in"
    folder.mkdir()
    cv2.imwrite(str(folder / "a.png"), _dark(5))
    (tmp_path / "file").write_text("x")
    with pytest.raises(UserError, match="exists and is not a folder"):
        enhance_folder(folder, tmp_path / "file", stage, False)
