"""The llie-video command: verbs, images, and a clear one-line error (exit 2) for every user
mistake; a failure while running exits 1, an interrupted job 130 with a playable file."""

import hashlib
import os
import re
import resource
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import av
import cv2
import numpy as np
import pytest
import torch

from llie_video.cli import EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_USER_ERROR, main
from llie_video.resources import weights_dir
from tests.helpers.cli import one_error_line as _one_error_line
from tests.helpers.clips import decoded_rgb, x264_settings
from tests.helpers.waiting import wait_for

REPO = Path(__file__).resolve().parents[1]
NO_GPU = pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a CUDA GPU")


def _run(*args):
    return main([str(a) for a in args])


def _command(*args: object) -> list[str]:
    """``llie-video ARGS`` as a subprocess running this checkout."""
    return [sys.executable, "-m", "llie_video", *map(str, args)]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO)}


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
        (["{clip}", "{out}", "--weights", "{text}"], "notes.mp4 is not a checkpoint"),
        (["{clip}", "{out}", "--weights", "/etc/passwd"], "/etc/passwd is not a checkpoint"),
        (["{clip}", "{out}", "--model", "sci", "--weights", "{zero_dce}"],
         "holds weights for model 'zero_dce', not 'sci'"),
        (["{clip}", "{out}", "--bogus"], "unrecognized arguments"),
        (["{clip}", "{out}", "--config", "{unknown_key}"], "unknown key 'enhance.gama'"),
        (["{clip}", "{out}", "--config", "{tmp}/none.yaml"], "config file not found"),
        (["{clip}", "{out}", "--config", "{not_yaml}"], "is not valid YAML"),
        (["{clip}", "{out}", "--config", "{a_list}"], "must hold a mapping"),
        (["{clip}", "{out}", "--config", "{wrong_type}"], "enhance.gamma: expected float, got 'bright'"),
        (["{clip}", "{out}", "--config", "{int_for_str}"], "encoder.codec: expected str, got 5"),
        (["{clip}", "{out}", "--config", "{bad_value}"], "crf must be within 0..63, got 99"),
        (["{clip}", "{out}", "--config", "{not_a_section}"], "encoder: expected a mapping"),
        (["{clip}", "{out}", "--crf", "99"], "crf must be within 0..63"),
        (["{clip}", "{out}", "--crf", "55"], "--crf 55 is beyond libx264's range (0..51)"),
        pytest.param(["{clip}", "{out}", "--codec", "h264_nvenc"],
                     "h264_nvenc: no usable NVIDIA device", marks=NO_GPU),
        (["{clip}", "{out}", "--codec", "libvpx-vp9", "--bit-depth", "10"],
         "libvpx-vp9 cannot write 10-bit video"),
        (["{clip}", "{out}", "--pix-fmt", "yuv420p", "--bit-depth", "10"], "not allowed with"),
        (["{clip}", "{out}", "--pix-fmt", "yuv999p"], "unknown pixel format 'yuv999p'"),
        (["{clip}", "{out}", "--bit-depth", "12"], "invalid choice: 12"),
        (["{clip}", "{out}", "--preset", "sideways"], "libx264: does not open with these settings"),
        pytest.param(["{clip}", "{out}", "--device", "cuda"], "no CUDA GPU is available",
                     marks=NO_GPU),
        (["{clip}", "{out}", "--device", "tpu"], "invalid choice: 'tpu'"),
        (["{clip}", "{clip}", "-y"], "same file"),
        (["{clip}"], "required"),
    ],
)
def test_user_mistakes_exit_2_with_one_line(args, message, clip, tmp_path, capsys):
    text = tmp_path / "notes.mp4"
    text.write_text("not a video")
    configs = {"unknown_key": "enhance:\n  gama: 1.2\n", "not_yaml": "enhance: [1, 2\n",
               "a_list": "- enhance\n- encoder\n", "wrong_type": "enhance:\n  gamma: bright\n",
               "int_for_str": "encoder:\n  codec: 5\n", "bad_value": "encoder:\n  crf: 99\n",
               "not_a_section": "encoder: fast\n"}
    values = {"missing": tmp_path / "missing.mp4", "out": tmp_path / "out.mp4", "text": text,
              "clip": clip, "tmp": tmp_path, "zero_dce": weights_dir() / "zero_dce.pt"}
    for name, content in configs.items():
        values[name] = tmp_path / f"{name}.yaml"
        values[name].write_text(content)
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
    config.write_text("enhance:\n  strength: 0.0\nencoder:\n  crf: 30\n  preset: medium\n")
    out = tmp_path / "out.mkv"
    assert _run(clip, out, "--config", config, "-q") == 0
    with av.open(str(clip)) as a, av.open(str(out)) as b:
        fa = next(a.decode(video=0)).to_ndarray(format="rgb24").astype(float)
        fb = next(b.decode(video=0)).to_ndarray(format="rgb24").astype(float)
    assert abs(fa.mean() - fb.mean()) < 3  # strength 0 keeps the input
    settings = x264_settings(out)
    assert " crf=30.0 " in settings
    assert " subme=7 " in settings  # medium's (veryfast uses 2)
    # an option given on the command line wins over the file
    assert _run(clip, tmp_path / "crf18.mkv", "--config", config, "--crf", "18", "-q") == 0
    assert " crf=18.0 " in x264_settings(tmp_path / "crf18.mkv")


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


@NO_GPU
def test_encoders_lists_what_runs_here(capsys):
    assert _run("encoders") == 0
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()}
    assert lines["libx264"].split()[1] == "8/10-bit" and lines["libx264"].endswith(" ok")
    assert lines["libvpx-vp9"].split()[1] == "8-bit"
    assert "cannot run here: no usable NVIDIA device" in lines["h264_nvenc"]


@pytest.mark.parametrize("codec", ["libsvtav1", "libx265"])
def test_encoder_banners_only_with_verbose(make_clip, tmp_path, codec):
    """SVT-AV1 and x265 print their banners straight to stderr; --verbose lets them, and shows
    that --crf reached SVT-AV1 as its rate factor."""
    clip = make_clip(frames=4)

    def stderr(*options: str) -> str:
        done = subprocess.run(_command(clip, tmp_path / "out.mkv", "-y", "-q", "--codec", codec,
                                       "--crf", "27", *options),
                              env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stderr

    # SVT-AV1 reads SVT_LOG once per process; this one's may have been set by other tests
    env = {k: v for k, v in _env().items() if k != "SVT_LOG"}

    assert stderr() == ""
    banner = stderr("--verbose")
    if codec == "libsvtav1":
        assert "Svt[info]" in banner and re.search(r"CRF / 27\.00", banner)
    else:
        assert "x265 [info]" in banner and "CRF-27.0" in banner


def test_every_track_chapter_and_title_reach_the_output(tmp_path):
    from tests.helpers.clips import TITLE, write_multitrack_clip

    source = write_multitrack_clip(tmp_path / "in.mkv")
    out = tmp_path / "out.mp4"
    assert _run(source, out, "-q") == 0
    with av.open(str(out)) as c:
        assert [s.codec_context.name for s in c.streams.audio] == ["aac", "opus"]
        assert [s.codec_context.name for s in c.streams.subtitles] == ["mov_text", "mov_text"]
        assert [s.metadata.get("language") for s in c.streams.subtitles] == ["eng", "deu"]
        assert len(c.chapters()) == 2 and c.metadata["title"] == TITLE


_FEED = """
import sys
from fractions import Fraction
import av
import numpy as np

rng = np.random.default_rng(0)
try:
    with av.open(sys.argv[1], "w", format="mpegts") as container:  # waits for a reader
        stream = container.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = 160, 96, "yuv420p"
        stream.options = {"g": "30", "preset": "ultrafast"}
        for i in range(int(sys.argv[2])):
            rgb = np.clip(rng.normal(30, 4, (96, 160, 3)), 0, 255).astype(np.uint8)
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
            frame.pts, frame.time_base = i, Fraction(1, 30)
            container.mux(stream.encode(frame))
except (OSError, av.FFmpegError):
    pass  # the reader closed the FIFO: the job stopped reading
"""


def _endless_feed(fifo: Path, limit: int) -> subprocess.Popen:
    """A process writing an MPEG-TS stream of ``limit`` frames into the FIFO ``fifo``, or until
    its reader goes away: an input that cannot end before a job reading it is stopped."""
    os.mkfifo(fifo)
    return subprocess.Popen([sys.executable, "-c", _FEED, str(fifo), str(limit)])


def _frames_in_progress(log: Path) -> int:
    """The most frames the job's progress bar (in its stderr, written to ``log``) has counted."""
    counts = re.findall(r"(\d+)frame \[", log.read_text(errors="replace"))
    return max(map(int, counts), default=0)


def _like_a_terminal() -> None:
    """preexec_fn: Ctrl-C's signal acts as it does for a command typed in a terminal. (Started
    from a background job of a script, as CI may be, a process inherits SIGINT ignored, and
    Python then leaves it ignored, as nohup'ed programs should.)"""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
@pytest.mark.timeout(300)
def test_stopping_a_job_leaves_a_playable_file(tmp_path, sig):
    """Ctrl-C, or SIGTERM (a service manager, ``timeout``), while frames are being written: the
    job finishes the frames it read, exits 130 and leaves a playable file."""
    source, out, log = tmp_path / "feed.ts", tmp_path / "out.mp4", tmp_path / "stderr.txt"
    limit = 20_000  # 11 minutes of video: far more than the job reads before it is stopped
    feed = _endless_feed(source, limit)
    with open(log, "w") as stderr:  # a job stuck after the signal shows its threads (SIGABRT)
        job = subprocess.Popen(_command(source, out), stderr=stderr,
                               env={**_env(), "PYTHONFAULTHANDLER": "1"},
                               preexec_fn=_like_a_terminal)
    try:
        wait_for(lambda: _frames_in_progress(log) > 0 or job.poll() is not None,
                 "the job's first frames", timeout_s=180)
        assert job.poll() is None, log.read_text()
        job.send_signal(sig)
        try:
            job.wait(timeout=120)
        except subprocess.TimeoutExpired:
            job.send_signal(signal.SIGABRT)
            job.wait(30)
            pytest.fail(f"the job did not stop; it wrote:\n{log.read_text()[-6000:]}")
    finally:
        job.kill()
        feed.kill()  # it ends by itself once the job closed the FIFO; in any case now
        feed.wait(30)
    err = log.read_text()
    assert job.returncode == EXIT_INTERRUPTED, err
    assert "playable" in err and "Traceback" not in err
    assert 0 < len(decoded_rgb(out)) < limit
    assert sorted(p.name for p in tmp_path.iterdir()) == ["feed.ts", "out.mp4", "stderr.txt"]


@contextmanager
def _file_size_limit(limit: int) -> Iterator[None]:
    """While inside, this process cannot write files beyond ``limit`` bytes (EFBIG), like on a
    full disk."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # fail the write, not the process
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)


@pytest.mark.parametrize("frames, size, limit", [
    (12, (320, 240), 4 * 1024),  # FFmpeg reports the failed writes when the file is closed
    (200, (640, 360), 64 * 1024),  # ... or, for a longer one, while frames are being written
])
def test_a_full_disk_exits_1_with_one_line_and_no_partial_file(make_clip, tmp_path, capsys,
                                                               frames, size, limit):
    src = make_clip(frames=frames, size=size, audio=False)
    with _file_size_limit(limit):
        code = _run(src, tmp_path / "out.mp4", "-q")
    assert code == EXIT_FAILURE
    line = _one_error_line(capsys)
    assert line.startswith("llie-video: error: encode stage failed: ") and "File too large" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.mp4"]


def _flicker_rows(out: str) -> dict[str, list[float]]:
    """``eval --video``'s table: row name -> brightness var, MABD, warped error, mean luma."""
    return {line[:14].strip(): [float(v) for v in line[14:].split()]
            for line in out.strip().splitlines()[1:4]}


def test_eval_video_measures_the_flicker_smoothing_removes(make_clip, capsys):
    clip = make_clip(frames=16, size=(128, 96))  # dark and noisy: enhanced noise flickers
    assert _run("eval", "--video", clip, "--frames", "12", "--smoothing", "0.6") == 0
    out = capsys.readouterr().out
    rows = _flicker_rows(out)
    assert list(rows) == ["input", "per-frame", "smoothed 0.6"]
    assert "black (1%)" in out and "saturation ratio" in out  # the statistics that follow
    frames = decoded_rgb(clip)[:12]
    lumas = [0.299 * f[..., 0] + 0.587 * f[..., 1] + 0.114 * f[..., 2] for f in frames]
    input_var, input_mabd, _, input_luma = rows["input"]
    assert input_luma == pytest.approx(np.mean(lumas), abs=0.1)
    assert input_var == pytest.approx(np.var([y.mean() for y in lumas]), abs=1e-3)
    assert input_mabd == pytest.approx(
        np.mean([np.abs(b - a).mean() for a, b in zip(lumas, lumas[1:])]), abs=0.01)
    per_frame, smoothed = rows["per-frame"], rows["smoothed 0.6"]
    assert per_frame[3] > input_luma + 50 and smoothed[3] > input_luma + 50  # both enhanced
    # the smoothing (parameters and temporal noise reduction) removes most of the flicker
    assert smoothed[1] < 0.5 * per_frame[1] and smoothed[2] < 0.75 * per_frame[2]
    assert _run("eval", "--video", clip, "--smoothing", "1.5") == EXIT_USER_ERROR
    assert _run("eval", "--video", "missing.mp4") == EXIT_USER_ERROR


def test_eval_images_folder(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the grid goes to out/eval/ under the working directory
    folder = tmp_path / "photos"
    folder.mkdir()
    for i in range(2):
        cv2.imwrite(str(folder / f"{i}.png"), (np.random.default_rng(i).random((32, 48, 3)) * 40).astype(np.uint8))
    assert _run("eval", "--data", folder, "--mode", "unpaired", "--no-timing") == 0
    out = capsys.readouterr().out
    rows = {line.split()[0]: line.split()[1:] for line in out.splitlines()[2:] if line.strip()}
    assert float(rows["input"][0]) == pytest.approx(20, abs=2)  # mean luma of the photos
    assert float(rows["auto_gamma"][0]) > 80  # a gamma that lifts the mean luma to about 0.4
    grid = next((tmp_path / "out" / "eval").glob("*_photos.png"))
    assert f"grid: out/eval/{grid.name}" in out
    assert _run("eval", "--data", tmp_path / "nope") == EXIT_USER_ERROR


def test_eval_synthetic_pairs_scores_the_validation_split(tmp_path, capsys, monkeypatch):
    """``--mode synthetic``: the validation split of well-exposed images, darkened; PSNR and
    SSIM of the model, the model as run and auto-gamma."""
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "photos"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for i in range(30):
        texture = np.kron(rng.uniform(60, 200, (8, 12, 3)), np.ones((6, 6, 1)))
        cv2.imwrite(str(folder / f"{i:02d}.png"), texture.astype(np.uint8))
    held_out = sum(
        int.from_bytes(hashlib.sha1(f"{i:02d}.png".encode()).digest()[:8], "big") < 0.1 * 2**64
        for i in range(30))
    assert held_out > 0  # the names were chosen so that some are held out
    assert _run("eval", "--data", folder, "--mode", "synthetic", "--no-timing") == 0
    out = capsys.readouterr().out
    assert "(synthetic)" in out.splitlines()[0]
    table = {line[:24].strip(): line[24:].split() for line in out.splitlines()[2:5]}
    assert len(table) == 3 and "auto_gamma" in table
    for psnr, ssim, chroma, delta_e, saturation, luma, images in table.values():
        assert int(images) == held_out
        assert 5 < float(psnr) < 60 and 0 < float(ssim) <= 1 and 0 < float(luma) < 255
        assert float(saturation) > 0 and float(chroma) > 0 and float(delta_e) > 0


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
    (folder / "sub").mkdir(parents=True)
    for i in range(2):
        cv2.imwrite(str(folder / f"{i}.png"), (np.random.default_rng(i).random((32, 48, 3)) * 40).astype(np.uint8))
    orange = np.zeros((64, 96, 3), np.uint8) + np.array([40, 110, 220], np.uint8)  # BGR: well lit
    cv2.imwrite(str(folder / "sub" / "orange.png"), orange)
    sheet = tmp_path / "sheet.png"
    assert _run("eval", "--images", folder, "--sheet", sheet, "--long-side", "48") == 0
    out = capsys.readouterr().out
    assert "over 3 picture(s)" in out and "newly clipped" in out
    assert "hue shift" in out and "worst hue shift: sub/orange.png" in out
    assert cv2.imread(str(sheet)).shape[1] == 3 * 320
    assert _run("eval", "--images", tmp_path / "nope") == EXIT_USER_ERROR
    (tmp_path / "empty").mkdir()
    assert _run("eval", "--images", tmp_path / "empty") == EXIT_USER_ERROR
    assert _run("eval", "--images", folder, "--long-side", "4") == EXIT_USER_ERROR


def test_train_rejects_a_bad_config(tmp_path, capsys):
    bad = tmp_path / "train.yaml"
    bad.write_text("no_such_key: 1\n")
    assert _run("train", bad) == EXIT_USER_ERROR
    assert "unknown key" in _one_error_line(capsys)
