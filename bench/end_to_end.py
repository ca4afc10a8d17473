"""End to end: the file job's fps against a plain transcode of its own output, and against
another checkout, side by side in one run.

For each clip: run ``enhance_video`` with the default model on one thread, or on each count of
``--threads`` (as ``llie-video in.mp4 out.mp4 --threads N`` runs it, the stage warmed up for the
clip's size first, so the figure is the steady rate), then a plain PyAV decode -> libx264 transcode of the job's output with the job's
encoder settings (``bench/pipeline.py``'s): what the job would reach if the stage cost nothing (a brighter picture costs
the encoder more than the dark input). With ``--against PATH`` (a checkout of another commit,
e.g. a ``git worktree``) the same job runs from that checkout's package, alternated with this
one. Each job runs in a fresh process (``PYTHONPATH`` set to its checkout). Prints medians and
ratios; asserts nothing.

    python bench/end_to_end.py [--clip CLIP ...] [--photo IMAGE] [--against PATH] [--threads 1 ...]
        [--repeats 3]

Without ``--clip``, a clean 1080p pan (5 s at 30 fps) across ``--photo`` (default: the sample
scene's first frame) is made.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import av
import cv2
import numpy as np

HERE = Path(__file__).resolve().parent.parent

# Runs in the checkout under test (its package on PYTHONPATH): only APIs every recent commit has.
_JOB = """
import json, sys, time, torch
from llie_video import create_model
from llie_video.enhance.stage import EnhanceStage
from llie_video.video.job import enhance_video
import av
source, target, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
with av.open(source) as clip:
    stream = clip.streams.video[0]
    height, width = stream.codec_context.height, stream.codec_context.width
try:  # as the CLI builds it (threads for torch, the kernel and the estimator's backend)
    from llie_video.job_config import JobConfig, RuntimeConfig
    from llie_video.video.stage_builder import build_stage
    stage = build_stage(JobConfig(runtime=RuntimeConfig(device="cpu", threads=threads)))
except ImportError:  # a checkout from before build_stage
    torch.set_num_threads(threads)
    stage = EnhanceStage(create_model("default", pretrained=True), torch.device("cpu"),
                         kernel_threads=threads)
stage.warm_up(height, width)
start = time.perf_counter()
result = enhance_video(source, target, stage, overwrite=True)
print(json.dumps({"seconds": time.perf_counter() - start}))
"""


def pan_clip(photo: np.ndarray, target: Path, seconds: float = 5.0, fps: int = 30) -> Path:
    """A 1080p clip panning across ``photo`` ``(h, w, 3)`` RGB (scaled to 1.25x the frame),
    H.264 at CRF 18: a clean clip of a real scene."""
    width, height = 1920, 1080
    scale = 1.25 * max(width / photo.shape[1], height / photo.shape[0])
    big = cv2.resize(photo, (round(photo.shape[1] * scale), round(photo.shape[0] * scale)),
                     interpolation=cv2.INTER_CUBIC)
    frames = round(seconds * fps)
    with av.open(str(target), "w") as out:
        stream = out.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.options = {"crf": "18", "preset": "veryfast"}
        for i in range(frames):
            x = round((big.shape[1] - width) * i / max(frames - 1, 1))
            y = round((big.shape[0] - height) * i / max(frames - 1, 1))
            crop = np.ascontiguousarray(big[y : y + height, x : x + width])
            out.mux(stream.encode(av.VideoFrame.from_ndarray(crop, format="rgb24")))
        out.mux(stream.encode(None))
    return target


def transcode_fps(source: Path, target: Path) -> float:
    """``bench/pipeline.py``'s plain decode -> encode, with the job's default encoder settings."""
    from pipeline import plain_transcode  # beside this script

    from llie_video.video.sinks import EncoderSettings

    start = time.perf_counter()
    frames = plain_transcode(source, target, EncoderSettings())
    return frames / (time.perf_counter() - start)


def job_fps(checkout: Path, source: Path, target: Path, threads: int) -> float:
    """The job's steady fps from ``checkout``'s package on ``threads``, in a fresh process."""
    env = dict(os.environ, PYTHONPATH=str(checkout))
    out = subprocess.run([sys.executable, "-c", _JOB, str(source), str(target), str(threads)],
                         env=env,
                         cwd=checkout, capture_output=True, text=True, check=True)
    seconds = json.loads(out.stdout.strip().splitlines()[-1])["seconds"]
    with av.open(str(target)) as clip:
        frames = sum(1 for _ in clip.demux(video=0)) - 1  # the last packet is empty
    return frames / seconds


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--clip", type=Path, action="append", default=[])
    p.add_argument("--photo", type=Path, help="the image the default clip pans across")
    p.add_argument("--against", type=Path, help="another checkout to compare with")
    p.add_argument("--threads", type=int, action="append",
                   help="the stage's threads (repeat to compare counts; default 1)")
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args()
    roots = {"this": HERE} | ({"against": args.against.resolve()} if args.against else {})
    counts = args.threads or [1]
    checkouts = {(f"{name} x{n}" if len(counts) > 1 else name): (root, n)
                 for name, root in roots.items() for n in counts}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        clips = list(args.clip)
        if not clips:
            if args.photo is not None:
                photo = cv2.cvtColor(cv2.imread(str(args.photo)), cv2.COLOR_BGR2RGB)
            else:
                from llie_video.sample import decoded_sample_frames

                photo = decoded_sample_frames(1, 1920, 1080, 0.25)[0].to_ndarray(format="rgb24")
            clips = [pan_clip(photo, work / "pan.mp4")]
        for clip in clips:
            jobs: dict[str, list[float]] = {name: [] for name in checkouts}
            outputs: dict[str, list[float]] = {name: [] for name in checkouts}
            for _ in range(args.repeats):
                for index, (name, (checkout, threads)) in enumerate(checkouts.items()):
                    output = work / f"job{index}.mp4"
                    jobs[name].append(job_fps(checkout, clip, output, threads))
                    outputs[name].append(transcode_fps(output, work / "plain.mp4"))
            print(f"{clip.name}: medians of {args.repeats}, alternated")
            for name in checkouts:
                job, plain = statistics.median(jobs[name]), statistics.median(outputs[name])
                print(f"  {name:12s} job {job:6.2f} fps; plain transcode of its output "
                      f"{plain:6.2f} fps; ratio {job / plain:.2f}")
            first = next(iter(checkouts))
            for name in list(checkouts)[1:]:
                ratio = statistics.median(jobs[name]) / statistics.median(jobs[first])
                print(f"  {name} / {first}: {ratio:.2f}x")


if __name__ == "__main__":
    main()
