"""Frames in flight: the plane route of the enhance stage off the fused kernel (the CUDA route)
one frame at a time against frames kept in flight, side by side in one run.

With frames in flight, a frame's planes go up on an upload stream and its result comes back on a
download stream while the next frame computes (:mod:`llie_video.enhance.plane_transfer`). Decodes
a sample clip once, then alternates rounds of the stage over its frames in order (submit, collect
once more than ``overlap`` frames are in flight, as the pipeline does) for each depth, and a file
job for each depth; prints median ms a frame, fps and ratios, and whether the depths' frames are
identical. On the CPU (``--device cpu``) the ring stages through ordinary memory with no streams:
that measures the ring's own cost, not overlap. Prints figures; asserts nothing.

    python bench/overlap.py [--device cuda] [--size 1080p] [--frames 90] [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from llie_video import create_model
from llie_video.enhance.av_planes import yuv420_planes
from llie_video.sample import write_sample_clip
from llie_video.video.device import select_device, select_dtype
from llie_video.video.frame import Frame
from llie_video.video.frame_processor import enhance_in_order
from llie_video.video.job import enhance_video
from llie_video.video.sources import FileSource
from llie_video.enhance.stage import EnhanceStage

SIZES = {"720p": (1280, 720), "1080p": (1920, 1080), "2160p": (3840, 2160)}
DEPTHS = (1, 2, 3)


def run_stage(stage: EnhanceStage, frames: list[Frame]) -> tuple[float, list[Frame]]:
    """Seconds to enhance ``frames`` in order, keeping ``stage.overlap`` in flight; the results."""
    stage.reset_temporal()
    start = time.perf_counter()
    results = list(enhance_in_order(stage, frames))
    return time.perf_counter() - start, results


def identical(a: list[Frame], b: list[Frame]) -> bool:
    return all(np.array_equal(x, y) for fa, fb in zip(a, b)
               for x, y in zip(yuv420_planes(fa.decoded), yuv420_planes(fb.decoded)))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--device", default="cuda")
    p.add_argument("--size", default="1080p", choices=SIZES)
    p.add_argument("--frames", type=int, default=90)
    p.add_argument("--rounds", type=int, default=5)
    args = p.parse_args()
    device = select_device(args.device)
    dtype = select_dtype(device, None)
    model = create_model("default", pretrained=True)
    stages = {depth: EnhanceStage(model, device, dtype, fused=False, in_flight=depth)
              for depth in DEPTHS}
    width, height = SIZES[args.size]
    print(f"device {device}, {dtype}, torch {torch.__version__}, {args.size}, "
          f"{args.frames} frames, {args.rounds} rounds")
    with tempfile.TemporaryDirectory() as tmp:
        clip = write_sample_clip(Path(tmp) / "clip.mp4", args.frames / 30, width, height, 30)
        with FileSource(clip, decoded_frames=True) as source:
            frames = [item for item in source if isinstance(item, Frame)]
        for stage in stages.values():
            run_stage(stage, frames[:3])  # warm-up: allocations, kernels
        stage_s: dict[int, list[float]] = {depth: [] for depth in DEPTHS}
        job_fps: dict[int, list[float]] = {depth: [] for depth in DEPTHS}
        outputs: dict[int, list[Frame]] = {}
        for _ in range(args.rounds):
            for depth, stage in stages.items():
                seconds, outputs[depth] = run_stage(stage, frames)
                stage_s[depth].append(seconds)
                start = time.perf_counter()
                n = enhance_video(clip, Path(tmp) / f"out{depth}.mp4", stage, overwrite=True).frames
                job_fps[depth].append(n / (time.perf_counter() - start))
        base_ms = 1000 * statistics.median(stage_s[1]) / len(frames)
        base_fps = statistics.median(job_fps[1])
        print(f"{'in flight':>9s} {'stage ms/frame':>15s} {'ratio':>6s} {'job fps':>8s} {'ratio':>6s}"
              f"  frames identical to depth 1")
        for depth in DEPTHS:
            ms = 1000 * statistics.median(stage_s[depth]) / len(frames)
            fps = statistics.median(job_fps[depth])
            print(f"{depth:9d} {ms:15.2f} {base_ms / ms:6.2f} {fps:8.1f} {fps / base_fps:6.2f}"
                  f"  {identical(outputs[depth], outputs[1])}")


if __name__ == "__main__":
    main()
