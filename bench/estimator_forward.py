"""The estimator forward on one CPU thread: torch against the default CPU route, per model.

For every shipped model that estimates at low resolution, on a random frame of its default
estimation size for a 1080p frame: the forward's multiply-accumulates (torch's FLOP counter:
convolutions, matrix products; elementwise work not counted), the time of the torch forward
(``model.estimate`` on a channels-last input, as the stage called it before), of ONNX Runtime
on the exported graph, and of the CPU route (:mod:`llie_video.runtimes.cpu_estimator`: ONNX
Runtime or torch, whichever it measured faster at this size), conversions included, alternated,
medians of ``--rounds`` rounds; and the machine's multiply-accumulate rate on one thread (a
float32 matrix product of ``--matmul`` squared), from which each forward's arithmetic cost
follows. Prints figures; asserts nothing.

    python bench/estimator_forward.py [--rounds 7] [--calls 100] [--models iat_colour,...]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable

import torch
from torch.utils.flop_counter import FlopCounterMode

from llie_video import create_model
from llie_video.export.graphs import estimation_size
from llie_video.models.weights import Manifest
from llie_video.runtimes.cpu_estimator import OnnxEstimate, cpu_estimate


def per_call_ms(fn: Callable[[], object], calls: int) -> float:
    """Mean ms of one call of ``fn`` over ``calls`` calls."""
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    return 1000 * (time.perf_counter() - start) / calls


def mac_rate(side: int, rounds: int) -> float:
    """Multiply-accumulates per second of a float32 ``side x side`` matrix product, median."""
    a, b = torch.rand(side, side), torch.rand(side, side)
    a @ b
    times = [per_call_ms(lambda: a @ b, 5) for _ in range(rounds)]
    return side ** 3 / (statistics.median(times) / 1000)


def macs(model: torch.nn.Module, x: torch.Tensor) -> int:
    """Multiply-accumulates of ``model.estimate(x)`` (FLOPs / 2 by torch's counter)."""
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model.estimate(x)
    return counter.get_total_flops() // 2


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--calls", type=int, default=100)
    p.add_argument("--matmul", type=int, default=1024)
    p.add_argument("--models", default="", help="comma-separated (default: every shipped "
                   "model that estimates at low resolution)")
    args = p.parse_args()
    torch.set_num_threads(1)
    names = [n for n in args.models.split(",") if n] or sorted(Manifest.load().models)
    rate = mac_rate(args.matmul, args.rounds)
    print(f"one thread: {rate / 1e9:.1f} GMAC/s ({args.matmul}^2 float32 matrix product)")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'model':18s} {'size':>8s} {'MMAC':>7s} {'arith ms':>8s} {'torch ms':>8s} "
          f"{'onnx ms':>8s} {'route':>5s} {'route ms':>8s} {'route/torch':>11s} "
          f"{'route/arith':>11s}")
    for name in names:
        model = create_model(name, pretrained=True)
        if model.estimation_long_side is None:
            continue
        h, w = estimation_size(1080, 1920, model.estimation_long_side)
        x = torch.rand(1, 3, h, w).contiguous(memory_format=torch.channels_last)
        route, onnx = cpu_estimate(model), OnnxEstimate(model, measure=False)
        count = macs(model, x)
        calls = max(3, args.calls * 5184 // (h * w))
        times: dict[str, list[float]] = {"torch": [], "onnx": [], "route": []}
        runs = {"torch": lambda: model.estimate(x), "onnx": lambda: onnx(x),
                "route": lambda: route(x)}
        with torch.inference_mode():
            for run in runs.values():  # export, choice of route, warm-up
                run()
            for _ in range(args.rounds):  # alternated
                for key, run in runs.items():
                    times[key].append(per_call_ms(run, calls))
        t, o, r = (statistics.median(times[key]) for key in runs)
        runs_onnx = route.onnx is not None and route.onnx.session(tuple(x.shape)) is not None
        chosen = "onnx" if runs_onnx else "torch"
        arithmetic = 1000 * count / rate
        print(f"{name:18s} {w:>4d}x{h:<3d} {count / 1e6:7.1f} {arithmetic:8.3f} {t:8.3f} "
              f"{o:8.3f} {chosen:>5s} {r:8.3f} {r / t:11.2f} {r / arithmetic:11.1f}")


if __name__ == "__main__":
    main()
