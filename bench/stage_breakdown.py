"""Where the enhance stage's time goes on the fast path, part by part.

Decodes a dark test clip (the sample scene: still camera, a moving lamp, changing light), runs
the default model's stage on its frames in order on this thread (one kernel thread, as a job
runs it), and prints the mean ms a frame of the whole stage and of each timed part (parts nest:
``Estimator.estimate`` contains the model's ``estimate`` and the smoother's ``hold``). Prints figures; asserts nothing.

    python bench/stage_breakdown.py [--size 1080p] [--frames 60] [--noise 1]
"""

from __future__ import annotations

import argparse
import collections
import functools
import time

import torch

from llie_video import create_model
from llie_video.ops import fused_yuv
from llie_video.sample import decoded_sample_frames
from llie_video.enhance import denoise, estimator, plane_render, routes, smoothing, stage
from llie_video.video.job import configure_cpu_threads

SIZES = {"720p": (1280, 720), "1080p": (1920, 1080)}


def time_calls(owner: object, name: str, totals: dict[str, float]) -> None:
    """Replace ``owner.name`` with a wrapper that adds its wall time to ``totals`` under
    ``"Owner.name"``."""
    original = getattr(owner, name)
    label = f"{getattr(owner, '__name__', '?').rsplit('.', 1)[-1]}.{name}"

    @functools.wraps(original)
    def timed(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            totals[label] += time.perf_counter() - start

    setattr(owner, name, timed)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--size", choices=sorted(SIZES), default="1080p")
    p.add_argument("--frames", type=int, default=60)
    p.add_argument("--noise", type=float, default=1.0, help="the clip's sensor noise (1: noisy)")
    args = p.parse_args()
    device = torch.device("cpu")
    configure_cpu_threads(device, 1)
    width, height = SIZES[args.size]
    frames = decoded_sample_frames(args.frames, width, height, args.noise)
    enhance = stage.EnhanceStage(create_model("default", pretrained=True), device, kernel_threads=1)
    enhance.prepare()
    totals: dict[str, float] = collections.defaultdict(float)
    model_class = type(enhance.model)
    for owner, name in [
        (model_class, "estimate"), (estimator.Estimator, "estimate"),
        (estimator.Estimator, "frame_finish"), (routes.FusedPlaneRoute, "_temporal_blend"),
        (smoothing.ParamSmoother, "hold"), (smoothing.ParamSmoother, "__call__"),
        (plane_render, "frame_block_means"), (denoise, "global_motion"),
        (plane_render.PreviousPlanes, "move_with_camera"), (denoise.TemporalDenoiser, "block_weights"),
        (routes.yuv, "low_resolution_rgb"), (plane_render, "widen"),
        (fused_yuv, "enhance_yuv420"),
    ]:
        time_calls(owner, name, totals)
    whole = 0.0
    for frame in frames:
        start = time.perf_counter()
        enhance.process_planes(frame)
        whole += time.perf_counter() - start
    n = len(frames)
    print(f"{args.size}, noise {args.noise}, {n} frames, default model, mean ms a frame")
    print(f"  {'whole stage':34s} {1000 * whole / n:7.2f}")
    for name, total in sorted(totals.items(), key=lambda item: -item[1]):
        print(f"  {name:34s} {1000 * total / n:7.2f}")


if __name__ == "__main__":
    main()
