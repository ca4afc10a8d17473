"""enhance_video end to end on real clips written with PyAV."""

from fractions import Fraction

import av
import numpy as np
import pytest
import torch

from llie_video import UserError, create_model
from llie_video.video.job import LIVE_FLOW, JobOptions, enhance_video, run_job
from llie_video.enhance.plane_render import FusedPlaneRenderer
from llie_video.video.sinks import EncoderSettings
from llie_video.enhance.settings import EnhanceSettings
from llie_video.enhance.stage import EnhanceStage
from llie_video.sample import write_gradient_clip
from tests.helpers.clips import luma_levels


@pytest.fixture(scope="module")
def stage():
    return EnhanceStage(create_model("default", pretrained=True), torch.device("cpu"))


def _probe(path):
    with av.open(str(path)) as c:
        v = c.streams.video[0]
        frames = list(c.decode(video=0))
        return {
            "pts": [f.pts * f.time_base for f in frames],
            "mean": float(np.mean([f.to_ndarray(format="rgb24").mean() for f in frames])),
            "size": (v.codec_context.width, v.codec_context.height),
            "rotation": frames[0].rotation,
        }


def _audio_packets(path):
    with av.open(str(path)) as c:
        if not c.streams.audio:
            return []
        return [(bytes(p), p.pts) for p in c.demux(c.streams.audio[0]) if p.dts is not None]


def test_frames_timing_audio_kept_and_brighter(make_clip, tmp_path, stage):
    src = make_clip(frames=24, fps=24)
    out = tmp_path / "out.mp4"
    result = enhance_video(src, out, stage)
    a, b = _probe(src), _probe(out)
    assert result.frames == 24 and not result.interrupted
    assert b["pts"] == a["pts"]
    assert b["mean"] > a["mean"] + 20
    assert _audio_packets(out) == _audio_packets(src)


def test_vfr_timestamps_survive(make_clip, tmp_path, stage):
    src = make_clip(pts=[0, 10, 35, 40, 90, 100], time_base=Fraction(1, 100), fps=25)
    out = tmp_path / "out.mp4"
    enhance_video(src, out, stage)
    assert _probe(out)["pts"] == _probe(src)["pts"]


def test_odd_size_and_rotation_kept(make_clip, tmp_path, stage):
    src = make_clip("odd.mkv", size=(51, 37), pix_fmt="yuv444p", rotation=90, audio=False)
    out = tmp_path / "out.mp4"
    enhance_video(src, out, stage)
    probe = _probe(out)
    assert probe["size"] == (51, 37)
    assert probe["rotation"] == 90


@pytest.mark.parametrize("pix_fmt", ["yuv422p", "yuvj422p", "yuv444p"])
def test_other_yuv_layouts_take_the_plane_path(make_clip, tmp_path, monkeypatch, pix_fmt):
    """4:2:2 / 4:4:4 video (pro cameras, MJPEG, screen recordings) is resampled to 4:2:0 on the
    decode thread and enhanced by the fused kernel, close to the RGB path's result."""
    rendered = []
    original_plan = FusedPlaneRenderer.plan

    def counting_plan(self, frame, *args):
        rendered.append(frame.format.name)
        return original_plan(self, frame, *args)

    monkeypatch.setattr(FusedPlaneRenderer, "plan", counting_plan)
    src = make_clip(f"{pix_fmt}.mkv", frames=8, pix_fmt=pix_fmt, audio=False)
    # the spatial noise reduction measures and filters each route's own representation (the
    # Y plane, or RGB converted back to Y'CbCr): off, so that the layouts' resampling is compared
    settings = EnhanceSettings(denoise=0.0)
    model = create_model("default", pretrained=True)
    enhance_video(src, tmp_path / "planes.mp4", EnhanceStage(model, torch.device("cpu"),
                                                             settings=settings))
    assert rendered == [pix_fmt.replace("422", "420").replace("444", "420")] * 8
    rgb_stage = EnhanceStage(model, torch.device("cpu"), settings=settings, fused=False)
    enhance_video(src, tmp_path / "rgb.mp4", rgb_stage)
    planes, rgb = _probe(tmp_path / "planes.mp4"), _probe(tmp_path / "rgb.mp4")
    # the two paths differ by ~1.3 codes on 4:2:0 input too (FFmpeg's 8-bit RGB conversion)
    assert abs(planes["mean"] - rgb["mean"]) < 2.0


def test_existing_output_untouched_without_overwrite(make_clip, tmp_path, stage):
    src = make_clip()
    out = tmp_path / "out.mp4"
    out.write_bytes(b"precious")
    with pytest.raises(UserError, match="exists"):
        enhance_video(src, out, stage)
    assert out.read_bytes() == b"precious"
    enhance_video(src, out, stage, overwrite=True)
    assert _probe(out)["size"] == (96, 64)


def test_failure_leaves_no_partial_file(make_clip, tmp_path, stage):
    src = make_clip()
    out = tmp_path / "out.mp4"
    with pytest.raises(UserError, match="codec"):
        enhance_video(src, out, stage, EncoderSettings(codec="no_such_codec"))
    assert list(tmp_path.iterdir()) == [src]


def test_stop_leaves_a_playable_partial_file(make_clip, tmp_path, stage):
    src = make_clip(frames=240, size=(64, 48))
    out = tmp_path / "out.mp4"

    pipelines = []

    def stop_after_five(frame):
        if frame.index == 5:
            pipelines[0].stop()

    result = enhance_video(src, out, stage, on_frame=stop_after_five, on_pipeline=pipelines.append)
    assert result.interrupted
    assert 0 < result.frames < 240
    assert len(_probe(out)["pts"]) == result.frames


def test_pcm_audio_is_transcoded_for_mp4(tmp_path, stage):
    from fractions import Fraction

    src = tmp_path / "pcm.mkv"
    with av.open(str(src), "w") as c:
        video = c.add_stream("libx264", rate=24)
        video.width, video.height, video.pix_fmt = 64, 48, "yuv420p"
        audio = c.add_stream("pcm_s16le", rate=16000)
        audio.layout = "mono"
        for i in range(24):
            frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), 30, np.uint8), format="rgb24")
            frame.pts, frame.time_base = i, Fraction(1, 24)
            c.mux(video.encode(frame))
        c.mux(video.encode(None))
        for start in range(0, 16000, 1000):
            tone = (np.sin(np.arange(1000) * 0.05) * 3000).astype(np.int16)[None]
            aframe = av.AudioFrame.from_ndarray(tone, format="s16", layout="mono")
            aframe.sample_rate, aframe.pts, aframe.time_base = 16000, start, Fraction(1, 16000)
            c.mux(audio.encode(aframe))
        c.mux(audio.encode(None))
    out = tmp_path / "out.mp4"
    enhance_video(src, out, stage)
    with av.open(str(out)) as c:
        assert c.streams.audio[0].codec_context.name == "aac"
        samples = sum(f.samples for f in c.decode(audio=0))
    assert abs(samples - 16000) < 2048  # one second of audio, give or take AAC priming


def test_interrupt_before_the_first_frame_leaves_no_partial_file(make_clip, tmp_path, stage):
    """Ctrl-C while the job prepares (the first run's kernel compile, seconds long): nothing
    was written, so nothing is left behind."""
    src = make_clip()

    def interrupted(info):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        enhance_video(src, tmp_path / "out.mp4", stage, on_start=interrupted)
    assert list(tmp_path.iterdir()) == [src]


def _video_format(path):
    with av.open(str(path)) as c:
        return c.streams.video[0].codec_context.name, next(c.decode(video=0)).format.name


def test_ten_bit_hevc_stays_ten_bit_and_keeps_more_levels_of_a_lifted_gradient(tmp_path, stage):
    """A dark 10-bit ramp (a night sky) lifted: 10-bit HEVC out by default, with about twice
    the distinct levels (narrower bands) of the same job written at 8 bits."""
    src = write_gradient_clip(tmp_path / "sky.mkv", "yuv420p10le", size=(256, 32))
    ten, eight = tmp_path / "ten.mkv", tmp_path / "eight.mkv"
    enhance_video(src, ten, stage, EncoderSettings(codec="libx265", crf=0, preset="ultrafast"))
    assert _video_format(ten) == ("hevc", "yuv420p10le")
    enhance_video(src, eight, stage, EncoderSettings(codec="libx265", crf=0, preset="ultrafast",
                                                     bit_depth=8))
    assert _video_format(eight) == ("hevc", "yuv420p")
    assert luma_levels(ten) > 1.5 * luma_levels(eight)


def test_eight_bit_input_can_be_written_at_ten_bits(make_clip, tmp_path, stage):
    src = make_clip(frames=4)
    out = tmp_path / "out.mkv"
    enhance_video(src, out, stage, EncoderSettings(codec="libsvtav1", bit_depth=10))
    assert _video_format(out)[1] == "yuv420p10le"


def test_one_runner_for_files_and_live_sinks(make_clip, tmp_path, stage):
    """run_job opens both ends by spec: a file job's output is its file; a job into ``null``
    (live: either end is) writes none."""
    src = make_clip()
    out = tmp_path / "out.mp4"
    assert run_job(src, out, stage).output == out
    result = run_job(src, "null", stage, JobOptions(flow=LIVE_FLOW))
    assert result.output is None and result.frames > 0
