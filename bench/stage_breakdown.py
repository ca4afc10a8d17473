"""Where the enhance stage's time goes on the fast path, part by part.

Decodes a dark test clip (the sample scene: still camera, a moving lamp, changing light) and runs
the default model's stage on its frames in order on this thread (one torch and kernel thread, as
a job runs it). First the whole stage, timed per frame (the median, and the CPU time of this
thread, which other work on a shared machine disturbs less); then the same frames again under
Python's profiler, which names where the time goes without patching anything: the functions of
``llie_video`` with the most cumulative time a frame (parts nest: a route's ``submit`` contains
the estimate and the render). The profiler's own cost inflates the second pass a little. Prints
figures; asserts nothing.

    python bench/stage_breakdown.py [--size 1080p] [--frames 60] [--noise 1] [--top 16]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import time
from pathlib import Path

import torch

import llie_video
from llie_video import create_model
from llie_video.enhance.stage import EnhanceStage
from llie_video.sample import decoded_sample_frames

SIZES = {"720p": (1280, 720), "1080p": (1920, 1080)}
PACKAGE = Path(llie_video.__file__).resolve().parent  # the package imported (PYTHONPATH may pick another checkout's)


def profiled_parts(profile: cProfile.Profile, frames: int, top: int) -> list[tuple[str, float]]:
    """The ``top`` functions of the package by cumulative time, as ``("module.function:line",
    ms a frame)``."""
    stats = pstats.Stats(profile)
    parts = []
    for (filename, line, function), row in stats.stats.items():  # type: ignore[attr-defined]
        path = Path(filename)
        if PACKAGE not in path.parents:
            continue
        module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        cumulative = row[3]
        name = f"{module.removeprefix('llie_video.')}.{function}:{line}"
        parts.append((name, 1000 * cumulative / frames))
    return sorted(parts, key=lambda part: -part[1])[:top]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--size", choices=sorted(SIZES), default="1080p")
    p.add_argument("--frames", type=int, default=60)
    p.add_argument("--noise", type=float, default=1.0, help="the clip's sensor noise (1: noisy)")
    p.add_argument("--top", type=int, default=16, help="functions to list")
    args = p.parse_args()
    torch.set_num_threads(1)
    width, height = SIZES[args.size]
    frames = decoded_sample_frames(args.frames, width, height, args.noise)
    stage = EnhanceStage(create_model("default", pretrained=True), torch.device("cpu"),
                         kernel_threads=1)
    stage.warm_up(height, width)  # compiles, exports and sizes what the first frame would
    wall, cpu = [], []
    for frame in frames:
        start, start_cpu = time.perf_counter(), time.thread_time()
        stage.process_planes(frame)
        wall.append(time.perf_counter() - start)
        cpu.append(time.thread_time() - start_cpu)
    stage.reset_temporal()
    profile = cProfile.Profile()
    profile.enable()
    for frame in frames:
        stage.process_planes(frame)
    profile.disable()
    print(f"{args.size}, noise {args.noise}, {len(frames)} frames, default model, ms a frame")
    print(f"  {'whole stage (median wall)':44s} {1000 * statistics.median(wall):7.2f}")
    print(f"  {'whole stage (median CPU of this thread)':44s} {1000 * statistics.median(cpu):7.2f}")
    print("  profiled, cumulative, mean a frame:")
    for name, ms in profiled_parts(profile, len(frames), args.top):
        print(f"    {name:42s} {ms:7.2f}")


if __name__ == "__main__":
    main()
