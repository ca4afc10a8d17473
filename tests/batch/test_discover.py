"""Finding a batch's files: folders recursively, globs, one file; what is left out."""

from pathlib import Path

import pytest

from llie_video.batch.discover import discover
from llie_video.errors import UserError


def _listed(items):
    return {(item.relative.as_posix(), item.kind) for item in items}


def test_folder_is_searched_recursively_for_videos_and_images(mixed_folder, tmp_path):
    items = discover(str(mixed_folder), tmp_path / "out")
    assert _listed(items) == {
        ("a.mp4", "video"), ("night/b.mkv", "video"), ("night/still.png", "image"),
        ("truncated.mp4", "video"), ("not_a_video.mp4", "video"),
    }
    assert all(item.source.is_absolute() for item in items)
    assert [i.relative for i in items] == sorted(i.relative for i in items)


def test_glob_keeps_paths_relative_to_its_fixed_part(mixed_folder, tmp_path):
    items = discover(f"{mixed_folder}/**/*.mkv", tmp_path / "out")
    assert _listed(items) == {("night/b.mkv", "video")}
    items = discover(f"{mixed_folder}/*.mp4", tmp_path / "out")
    assert {i.relative.as_posix() for i in items} == {"a.mp4", "truncated.mp4", "not_a_video.mp4"}


def test_output_folder_inside_input_and_hidden_files_are_left_out(mixed_folder):
    out = mixed_folder / "enhanced"
    (out / "x").mkdir(parents=True)
    (out / "x" / "old.mp4").write_bytes(b"...")
    (mixed_folder / ".a.partial-123.mp4").write_bytes(b"...")
    (mixed_folder / ".cache").mkdir()
    (mixed_folder / ".cache" / "c.mp4").write_bytes(b"...")
    relative = {i.relative.as_posix() for i in discover(str(mixed_folder), out)}
    assert not any(r.startswith((".", "enhanced")) for r in relative)


def test_one_file(mixed_folder, tmp_path):
    (item,) = discover(str(mixed_folder / "night" / "b.mkv"), tmp_path / "out")
    assert item.relative == Path("b.mkv")


@pytest.mark.parametrize("make", ["missing", "empty"])
def test_nothing_to_do_is_a_user_error(tmp_path, make):
    source = tmp_path / "in"
    if make == "empty":
        source.mkdir()
        (source / "readme.txt").write_text("x")
    with pytest.raises(UserError, match="not found|no videos or images"):
        discover(str(source), tmp_path / "out")
