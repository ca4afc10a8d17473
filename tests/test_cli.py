"""The llie-video command: verbs, images, and a clear one-line error (exit 2) for every user mistake."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from llie_video.cli import EXIT_INTERRUPTED, EXIT_USER_ERROR, main

REPO = Path(__file__).resolve().parents[1]


def _run(*args):
    return main([str(a) for a in args])


def _one_error_line(capsys):
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("llie-video: error: "), err
    assert "Traceback" not in err[0]
    return err[0]


@pytest.fixture
def clip(make_clip):
    return make_clip(frames=6)


def test_video_round_trip(clip, tmp_path):
    out = tmp_path / "out.mp4"
    assert _run(clip, out, "-q") == 0
    with av.open(str(out)) as c:
        assert c.streams.video[0].frames == 6
        assert len(c.streams.audio) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["{missing}", "{out}"], "input not found"),
        (["{text}", "{out}"], "cannot open"),
        (["{clip}", "{tmp}/no/such/dir/out.mp4"], "does not exist"),
        (["{clip}", "{out}", "--codec", "nonsense"], "codec"),
        (["{clip}", "{out}", "--strength", "3"], "strength"),
        (["{clip}", "{out}", "--gamma", "-1"], "gamma"),
        (["{clip}", "{out}", "--brightness-ceiling", "0"], "brightness_ceiling"),
        (["{clip}", "{out}", "--highlight-headroom", "1.5"], "highlight_headroom"),
        (["{clip}", "{out}", "--model", "nope"], "unknown model"),
        (["{clip}", "{out}", "--weights", "{text}"], "cannot read weights"),
        (["{clip}", "{out}", "--bogus"], "unrecognized arguments"),
        (["{clip}", "{out}", "--config", "{badconfig}"], "unknown key"),
        (["{clip}", "{clip}", "-y"], "same file"),
        (["{clip}"], "required"),
    ],
)
def test_user_mistakes_exit_2_with_one_line(args, message, clip, tmp_path, capsys):
    text = tmp_path / "notes.mp4"
    text.write_text("not a video")
    badconfig = tmp_path / "job.yaml"
    badconfig.write_text("enhance:\n  gama: 1.2\n")
    values = {"missing": tmp_path / "missing.mp4", "out": tmp_path / "out.mp4", "text": text,
              "clip": clip, "tmp": tmp_path, "badconfig": badconfig}
    before = sorted(tmp_path.iterdir())
    assert _run(*[a.format(**values) for a in args]) == EXIT_USER_ERROR
    assert message in _one_error_line(capsys)
    assert sorted(tmp_path.iterdir()) == before  # nothing written, nothing clobbered


def test_existing_output_needs_y(clip, tmp_path, capsys):
    out = tmp_path / "out.mp4"
    out.write_bytes(b"keep me")
    assert _run(clip, out) == EXIT_USER_ERROR
    assert "-y" in _one_error_line(capsys)
    assert out.read_bytes() == b"keep me"
    assert _run(clip, out, "-y", "-q") == 0


def test_config_file_and_options(clip, tmp_path):
    config = tmp_path / "job.yaml"
    config.write_text("enhance:\n  strength: 0.0\nencoder:\n  crf: 30\n")
    out = tmp_path / "out.mkv"
    assert _run(clip, out, "--config", config, "-q") == 0
    with av.open(str(clip)) as a, av.open(str(out)) as b:
        fa = next(a.decode(video=0)).to_ndarray(format="rgb24").astype(float)
        fb = next(b.decode(video=0)).to_ndarray(format="rgb24").astype(float)
    assert abs(fa.mean() - fb.mean()) < 3  # strength 0 keeps the input


def test_image_and_folder(tmp_path):
    dark = (np.random.default_rng(0).random((40, 60, 3)) * 50).astype(np.uint8)
    folder = tmp_path / "in"
    folder.mkdir()
    cv2.imwrite(str(folder / "a.png"), dark)
    cv2.imwrite(str(folder / "b.jpg"), dark)
    assert _run(folder / "a.png", tmp_path / "a_out.png", "-q") == 0
    bright = cv2.imread(str(tmp_path / "a_out.png"))
    assert bright.shape == dark.shape and bright.mean() > dark.mean() + 20
    assert _run(folder, tmp_path / "out", "-q") == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.png", "b.jpg"]


def test_sample_then_enhance(tmp_path, capsys):
    dark = tmp_path / "dark.mp4"
    assert _run("sample", dark, "--seconds", "0.5", "--size", "96x64") == 0
    assert _run(dark, tmp_path / "out.mp4", "-q") == 0
    with av.open(str(dark)) as c:
        assert c.streams.video[0].frames == 15 and len(c.streams.audio) == 1
    assert _run("sample", dark) == EXIT_USER_ERROR  # exists
    assert _run("sample", tmp_path / "x.mp4", "--size", "big") == EXIT_USER_ERROR
    assert _run("sample", tmp_path / "x.mp4", "--noise", "0") == EXIT_USER_ERROR
    assert not (tmp_path / "x.mp4").exists()


def test_models_lists_every_architecture(capsys):
    assert _run("models") == 0
    out = capsys.readouterr().out
    for name in ("zero_dce", "zero_dce_pp", "zero_dce_improved", "sci", "aux_retinex"):
        assert name in out
    assert "(default)" in out


def test_ctrl_c_leaves_a_playable_file(make_clip, tmp_path):
    src = make_clip(frames=900, size=(320, 240), audio=True)
    out = tmp_path / "out.mp4"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-m", "llie_video", str(src), str(out), "-q"],
                            stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".out.partial-*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == EXIT_INTERRUPTED, err
    assert "playable" in err and "Traceback" not in err
    with av.open(str(out)) as c:
        frames = sum(1 for _ in c.decode(video=0))
    assert 0 < frames < 900
    assert not list(tmp_path.glob(".out.partial-*"))


def test_eval_video_prints_flicker_table(make_clip, capsys):
    clip = make_clip(frames=8)
    assert _run("eval", "--video", clip, "--frames", "8") == 0
    out = capsys.readouterr().out
    for row in ("input", "per-frame", "smoothed", "black (1%)", "saturation ratio"):
        assert row in out
    assert _run("eval", "--video", clip, "--smoothing", "1.5") == EXIT_USER_ERROR
    assert _run("eval", "--video", "missing.mp4") == EXIT_USER_ERROR


def test_eval_images_folder(tmp_path, capsys):
    folder = tmp_path / "photos"
    folder.mkdir()
    for i in range(2):
        cv2.imwrite(str(folder / f"{i}.png"), (np.random.default_rng(i).random((32, 48, 3)) * 40).astype(np.uint8))
    assert _run("eval", "--data", folder, "--mode", "unpaired", "--no-timing") == 0
    out = capsys.readouterr().out
    assert "auto_gamma" in out
    assert _run("eval", "--data", tmp_path / "nope") == EXIT_USER_ERROR


def test_eval_real_prints_every_method_on_the_held_out_pairs(tmp_path, real_pairs_folder, capsys):
    _, held_out = real_pairs_folder
    assert _run("eval", "--mode", "real", "--data", tmp_path / "pairs", "--model", "zero_dce_pp") == 0
    out = capsys.readouterr().out
    assert f"{len(held_out)} pairs" in out
    for row in ("zero_dce_pp ", "zero_dce_pp as run", "auto_gamma"):
        assert row in out
    assert _run("eval", "--mode", "real", "--data", tmp_path / "nope") == EXIT_USER_ERROR
    assert "real pairs not found" in _one_error_line(capsys)
    assert _run("eval", "--mode", "real", "--data", tmp_path / "pairs", "--weights", "w.pt") == EXIT_USER_ERROR


def test_eval_images_prints_no_reference_statistics_and_a_sheet(tmp_path, capsys):
    folder = tmp_path / "photos"
    folder.mkdir()
    for i in range(2):
        cv2.imwrite(str(folder / f"{i}.png"), (np.random.default_rng(i).random((32, 48, 3)) * 40).astype(np.uint8))
    sheet = tmp_path / "sheet.png"
    assert _run("eval", "--images", folder, "--sheet", sheet) == 0
    out = capsys.readouterr().out
    assert "over 2 picture(s)" in out and "newly clipped" in out
    assert cv2.imread(str(sheet)).shape[1] == 2 * 320
    assert _run("eval", "--images", tmp_path / "nope") == EXIT_USER_ERROR
    (tmp_path / "empty").mkdir()
    assert _run("eval", "--images", tmp_path / "empty") == EXIT_USER_ERROR


def test_train_rejects_a_bad_config(tmp_path, capsys):
    bad = tmp_path / "train.yaml"
    bad.write_text("no_such_key: 1\n")
    assert _run("train", bad) == EXIT_USER_ERROR
    assert "unknown key" in _one_error_line(capsys)
