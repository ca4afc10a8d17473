"""What each picture-quality step costs the enhance stage on the fast path, side by side.

Decodes the sample clip (still camera, moving lamp, sensor noise), then runs the default model's
stage over its frames in order with each variant of the settings, the variants alternated round
by round in this one process (these machines are shared and noisy: only figures measured side by
side compare). Prints the median over rounds of the mean ms a frame, and each variant's cost over
the variant with the steps off. Asserts nothing.

    python bench/quality_steps.py [--size 1080p] [--frames 30] [--rounds 3] [--noise 1]
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import replace

import av
import torch

from llie_video import create_model
from llie_video.enhance.settings import EnhanceSettings
from llie_video.sample import decoded_sample_frames
from llie_video.video.job import configure_cpu_threads
from llie_video.enhance.stage import EnhanceStage

SIZES = {"720p": (1280, 720), "1080p": (1920, 1080)}
STEPS = ("denoise", "edge_aware", "saturation", "shadow_desaturation")
OFF = replace(EnhanceSettings(), denoise=0.0, edge_aware=False, saturation=1.0,
              shadow_desaturation=0.0)
VARIANTS = {
    "steps off (the render before them)": OFF,
    "+ noise reduction": replace(OFF, denoise=EnhanceSettings().denoise),
    "+ edge-aware upsampling": replace(OFF, edge_aware=True),
    "+ saturation and shadow desaturation": replace(
        OFF, saturation=EnhanceSettings().saturation,
        shadow_desaturation=EnhanceSettings().shadow_desaturation),
    "defaults": EnhanceSettings(),
}


def mean_ms(stage: EnhanceStage, frames: list[av.VideoFrame]) -> float:
    """Mean wall ms a frame of the stage over ``frames`` in order, from a fresh temporal state."""
    stage.reset_temporal()
    start = time.perf_counter()
    for frame in frames:
        stage.process_planes(frame)
    return 1000 * (time.perf_counter() - start) / len(frames)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--size", choices=sorted(SIZES), default="1080p")
    p.add_argument("--frames", type=int, default=30)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--noise", type=float, default=1.0, help="the clip's sensor noise (1: noisy)")
    args = p.parse_args()
    device = torch.device("cpu")
    configure_cpu_threads(device, 1)
    width, height = SIZES[args.size]
    frames = decoded_sample_frames(args.frames, width, height, args.noise)
    stage = EnhanceStage(create_model("default", pretrained=True), device, kernel_threads=1)
    stage.prepare()
    times: dict[str, list[float]] = {name: [] for name in VARIANTS}
    for _ in range(args.rounds):
        for name, settings in VARIANTS.items():
            stage.update(**{f: getattr(settings, f) for f in STEPS})
            times[name].append(mean_ms(stage, frames))
    base = statistics.median(times[next(iter(VARIANTS))])
    print(f"{args.size}, noise {args.noise}, {len(frames)} frames, {args.rounds} rounds, "
          "default model, one thread; median of the rounds' mean ms a frame")
    for name, values in times.items():
        ms = statistics.median(values)
        print(f"  {name:38s} {ms:7.2f} ms  ({ms - base:+.2f})")


if __name__ == "__main__":
    main()
