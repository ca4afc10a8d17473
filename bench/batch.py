"""Batch and runtime benchmark (issue 18).

1. ``llie-video batch`` on ``--clips`` short clips (written with ``llie-video sample``): wall time
   with one job against ``--jobs 2`` (each run starts its own worker processes, as a user's does).
2. The same batch on the local engine and on Ray on this machine (``--jobs 2`` both), a Ray
   instance started once beforehand (its start is timed separately): Ray's overhead.
3. Each model's estimator at its estimation size for a 1080p frame, torch against ONNX Runtime,
   one thread each, timed alternately in one process (median of ``--reps``).

Runs alternate (1 job, 2 jobs, Ray, ...) for ``--rounds`` rounds; medians are printed with the
ratios, as Markdown, with the CPU seconds the local engine's workers used (on a machine shared
with other jobs, the wall time says little by itself).

    python bench/batch.py [--clips 8] [--seconds 2] [--size 640x360] [--rounds 3] [--no-ray]
                          [--no-batch] [--no-estimators]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import torch

from llie_video.batch.runner import BatchOptions, run_batch
from llie_video.job_config import JobConfig
from llie_video.models import create_model, list_models
from llie_video.models.base import estimation_scale
from llie_video.ops.resize import low_resolution_size
from llie_video.sample import write_sample_clip


def timed(run: Callable[[], object]) -> float:
    began = time.perf_counter()
    run()
    return time.perf_counter() - began


def children_cpu_s() -> float:
    """CPU seconds of this process's finished child processes (the local engine's workers)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def batch_runs(folder: Path, scratch: Path, rounds: int,
               ray: bool) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Wall seconds of each way of running the batch, ``rounds`` times, alternating, and the
    CPU seconds of the local engine's workers."""
    config = JobConfig()
    ways: dict[str, BatchOptions] = {
        "local, 1 job": BatchOptions(jobs=1, progress=False),
        "local, 2 jobs": BatchOptions(jobs=2, progress=False),
    }
    if ray:
        ways["Ray, 2 jobs"] = BatchOptions(jobs=2, engine="ray", progress=False)
    times: dict[str, list[float]] = {name: [] for name in ways}
    cpu: dict[str, list[float]] = {name: [] for name in ways}
    for round_ in range(rounds):
        for name, options in ways.items():
            out = scratch / f"{name.replace(', ', '-').replace(' ', '')}-{round_}"
            summary = None

            def run(options: BatchOptions = options, out: Path = out) -> None:
                nonlocal summary
                summary = run_batch(str(folder), out, config, options)

            before = children_cpu_s()
            times[name].append(timed(run))
            cpu[name].append(children_cpu_s() - before)
            assert summary is not None and not summary.failed, summary
            print(f"  round {round_ + 1}: {name}: {times[name][-1]:.1f} s, workers' CPU "
                  f"{cpu[name][-1]:.1f} s", flush=True)
    return times, cpu


def estimator_ms(reps: int) -> list[tuple[str, str, float, float]]:
    """Per model: estimation size at 1080p, torch ms, ONNX Runtime ms (one thread each)."""
    from llie_video.runtimes.onnxruntime import onnxruntime_model

    torch.set_num_threads(1)
    rows = []
    for name in list_models():
        model = create_model(name, pretrained=True)
        onnx_model = onnxruntime_model(create_model(name, pretrained=True), threads=1)
        scale = estimation_scale(1080, 1920, model.estimation_long_side)
        height, width = low_resolution_size(1080, 1920, scale)
        x = torch.rand(1, 3, height, width).contiguous(memory_format=torch.channels_last)
        timings: dict[str, list[float]] = {"torch": [], "onnxruntime": []}
        full_size = model.estimation_long_side is None  # seconds a frame: a few runs do
        with torch.inference_mode():
            for runner in (model, onnx_model):  # warm up: allocations, kernel selection
                runner.estimate(x)
            for _ in range(min(reps, 3) if full_size else reps):
                for label, runner in (("torch", model), ("onnxruntime", onnx_model)):
                    timings[label].append(1000 * timed(lambda r=runner: r.estimate(x)))
        rows.append((name, f"{width}x{height}", statistics.median(timings["torch"]),
                     statistics.median(timings["onnxruntime"])))
        print(f"  {name}: {rows[-1][2]:.1f} / {rows[-1][3]:.1f} ms", flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--size", default="640x360")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--reps", type=int, default=15)
    parser.add_argument("--no-ray", action="store_true")
    parser.add_argument("--no-batch", action="store_true")
    parser.add_argument("--no-estimators", action="store_true")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))

    if not args.no_batch:
        with tempfile.TemporaryDirectory() as tmp:
            folder, scratch = Path(tmp) / "clips", Path(tmp) / "out"
            folder.mkdir()
            for i in range(args.clips):
                write_sample_clip(folder / f"clip{i}.mp4", args.seconds, width, height, seed=i)
            frames = args.clips * round(args.seconds * 30)
            ray_start = None
            if not args.no_ray:
                import ray

                ray_start = timed(lambda: ray.init(include_dashboard=False, log_to_driver=False,
                                                   logging_level="ERROR"))
            print(f"batch of {args.clips} clips, {args.size}, {args.seconds:g} s each "
                  f"({frames} frames):", flush=True)
            times, cpu = batch_runs(folder, scratch, args.rounds, not args.no_ray)
            base = statistics.median(times["local, 1 job"])
            print("\n| run | wall (median) | frames/s | vs 1 job | workers' CPU (median) |\n"
                  "|---|---|---|---|---|")
            for name, values in times.items():
                wall = statistics.median(values)
                work = f"{statistics.median(cpu[name]):.1f} s" if "local" in name else "-"
                print(f"| {name} | {wall:.1f} s | {frames / wall:.1f} | {base / wall:.2f}x | "
                      f"{work} |")
            if ray_start is not None:
                print(f"\nRay start on this machine (ray.init, not in the figures): "
                      f"{ray_start:.1f} s")

    if args.no_estimators:
        return
    print("\nestimator at its 1080p estimation size, one thread (median ms):", flush=True)
    rows = estimator_ms(args.reps)
    print("\n| model | estimation size | torch | ONNX Runtime | ratio |\n|---|---|---|---|---|")
    for name, size, torch_ms, onnx_ms in rows:
        print(f"| {name} | {size} | {torch_ms:.1f} ms | {onnx_ms:.1f} ms | "
              f"{torch_ms / onnx_ms:.2f}x |")


if __name__ == "__main__":
    main()
