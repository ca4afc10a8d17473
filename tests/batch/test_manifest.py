"""The manifest: appended records, the latest per input, resume decisions, crash-cut lines."""

import json
import os

import pytest

from llie_video.batch.manifest import MANIFEST_NAME, InputState, Manifest, Record, read_records


def _record(state, status, output="a.mp4", **kw):
    return Record(input=state.path, size=state.size, mtime=state.mtime, output=output,
                  status=status, **kw)


@pytest.fixture
def source_and_out(tmp_path):
    """An input file ``a.mp4`` and an empty OUT_DIR."""
    source = tmp_path / "a.mp4"
    source.write_bytes(b"video")
    out = tmp_path / "out"
    out.mkdir()
    return source, out


def test_done_is_skipped_only_while_input_and_output_are_unchanged(source_and_out):
    source, out = source_and_out
    state = InputState.of(source)
    manifest = Manifest(out)
    assert not manifest.knows(state) and not manifest.is_done(state, "a.mp4")
    manifest.append(_record(state, "started"))
    assert manifest.knows(state) and not manifest.is_done(state, "a.mp4")
    manifest.append(_record(state, "done", frames=3, seconds=1.5, fps=2.0))
    (out / "a.mp4").write_bytes(b"enhanced")
    reopened = Manifest(out)
    assert reopened.is_done(InputState.of(source), "a.mp4")
    assert not reopened.is_done(InputState.of(source), "elsewhere/a.mp4")  # another layout
    (out / "a.mp4").unlink()  # output deleted: redo
    assert not reopened.is_done(InputState.of(source), "a.mp4")
    (out / "a.mp4").write_bytes(b"enhanced")
    source.write_bytes(b"a longer video")  # input changed: redo
    assert not Manifest(out).is_done(InputState.of(source), "a.mp4")
    assert Manifest(out).knows(InputState.of(source))


def test_failed_is_redone(source_and_out):
    source, out = source_and_out
    state = InputState.of(source)
    Manifest(out).append(_record(state, "failed", error="cannot open"))
    (out / "a.mp4").write_bytes(b"")
    assert not Manifest(out).is_done(state, "a.mp4") and Manifest(out).knows(state)


def test_records_are_json_lines_with_every_field(tmp_path):
    state = InputState("/x/a.mp4", 10, 123.25)
    Manifest(tmp_path).append(_record(state, "done", frames=5, seconds=2.0, fps=2.5))
    (line,) = (tmp_path / MANIFEST_NAME).read_text().splitlines()
    data = json.loads(line)
    assert set(data) == {"input", "size", "mtime", "output", "status", "frames", "seconds", "fps",
                         "error", "time"}
    assert data["mtime"] == 123.25 and data["status"] == "done" and data["time"]


def test_a_line_cut_short_by_a_crash_is_ignored_and_does_not_swallow_the_next(tmp_path):
    path = tmp_path / MANIFEST_NAME
    first = _record(InputState("/x/a.mp4", 1, 1.0), "done")
    Manifest(tmp_path).append(first)
    with open(path, "ab") as f:
        f.write(b'{"input": "/x/b.mp4", "si')  # killed mid-write
        os.fsync(f.fileno())
    Manifest(tmp_path).append(_record(InputState("/x/c.mp4", 1, 1.0), "failed", error="e"))
    assert [r.input for r in read_records(path)] == ["/x/a.mp4", "/x/c.mp4"]
