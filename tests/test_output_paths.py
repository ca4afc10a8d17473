"""Where outputs may be written, and the temporary name they are written under."""

from __future__ import annotations

import os

import pytest

from llie_video import UserError
from llie_video.output_paths import check_output_path, partial_path


def test_output_paths_are_checked(tmp_path):
    existing = tmp_path / "out.mp4"
    existing.write_bytes(b"keep")
    with pytest.raises(UserError, match="exists; pass -y to overwrite it"):
        check_output_path(existing, overwrite=False)
    check_output_path(existing, overwrite=True)
    with pytest.raises(UserError, match="is a folder, not a file"):
        check_output_path(tmp_path, overwrite=True)
    with pytest.raises(UserError, match="output folder .*nowhere does not exist"):
        check_output_path(tmp_path / "nowhere" / "out.mp4", overwrite=False)
    check_output_path(tmp_path / "new.mp4", overwrite=False)
    assert existing.read_bytes() == b"keep"


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_an_unwritable_folder_is_refused(tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir(mode=0o500)
    with pytest.raises(UserError, match="cannot write to folder"):
        check_output_path(folder / "out.mp4", overwrite=False)


def test_partial_path_is_hidden_beside_the_target_with_its_suffix(tmp_path):
    partial = partial_path(tmp_path / "clip.mkv")
    assert partial.parent == tmp_path and partial.suffix == ".mkv"
    assert partial.name.startswith(".clip.partial-")
