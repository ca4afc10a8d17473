"""The enhance stage of this checkout against another's, both running at the same moment.

On a shared machine, runs one after the other meet different loads (the same tree's rounds
spread by up to 50% on this project's 2-core machine); run at once, each pinned to its own core
and the cores swapped every round, the two sides meet the same load. Each side is
``bench/stage_breakdown.py`` (this checkout's script) with that side's package on
``PYTHONPATH``: the whole stage's CPU time a frame, and its fused full-resolution pass (the
kernel and the map widening, cumulative in the profile, so slightly inflated on both sides).
Prints every round, then medians with their ranges and the median of the rounds' ratios; asserts
nothing. Needs two cores and Linux (``os.sched_setaffinity``).

    python bench/stage_side_by_side.py --against PATH [--size 1080p] [--rounds 4] [--frames 40]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
BREAKDOWN = HERE / "bench" / "stage_breakdown.py"
_WHOLE = re.compile(r"whole stage \(median CPU of this thread\)\s+([\d.]+)")
_FUSED = re.compile(r"ops\.fused_yuv\.(?:enhance_yuv420|widen_rows):\d+\s+([\d.]+)")


@dataclass(frozen=True)
class Side:
    """One run's figures, ms a frame."""

    whole: float
    fused: float


def parse(output: str) -> Side:
    """The whole stage's CPU time and the fused pass from ``stage_breakdown.py``'s output."""
    whole = _WHOLE.search(output)
    if whole is None:
        raise RuntimeError(f"no stage figure in:\n{output}")
    return Side(float(whole.group(1)), sum(float(ms) for ms in _FUSED.findall(output)))


def start(checkout: Path, core: int, size: str, frames: int) -> subprocess.Popen[str]:
    """``stage_breakdown.py`` on ``checkout``'s package, pinned to ``core``."""
    env = dict(os.environ, PYTHONPATH=str(checkout))
    command = [sys.executable, str(BREAKDOWN), "--size", size, "--frames", str(frames),
               "--top", "80"]
    return subprocess.Popen(command, env=env, cwd="/", text=True, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT,
                            preexec_fn=lambda: os.sched_setaffinity(0, {core}))


def summary(label: str, ours: list[float], theirs: list[float]) -> str:
    ratios = [a / b for a, b in zip(ours, theirs)]
    return (f"{label:12s} this {statistics.median(ours):6.2f} ({min(ours):.2f}-{max(ours):.2f})"
            f"  against {statistics.median(theirs):6.2f} ({min(theirs):.2f}-{max(theirs):.2f})"
            f"  ratio {statistics.median(ratios):.2f} ({min(ratios):.2f}-{max(ratios):.2f})")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--against", type=Path, required=True, help="another checkout")
    p.add_argument("--size", choices=["1080p", "720p"], default="1080p")
    p.add_argument("--rounds", type=int, default=4)
    p.add_argument("--frames", type=int, default=40)
    args = p.parse_args()
    cores = sorted(os.sched_getaffinity(0))
    if len(cores) < 2:
        sys.exit("stage_side_by_side: needs two cores")
    ours: list[Side] = []
    theirs: list[Side] = []
    for round_ in range(args.rounds):
        mine, other = (cores[0], cores[1]) if round_ % 2 == 0 else (cores[1], cores[0])
        runs = [start(HERE, mine, args.size, args.frames),
                start(args.against.resolve(), other, args.size, args.frames)]
        a, b = (parse(run.communicate()[0]) for run in runs)
        ours.append(a)
        theirs.append(b)
        print(f"round {round_ + 1}: this (core {mine}) whole {a.whole:.2f} fused {a.fused:.2f} | "
              f"against (core {other}) whole {b.whole:.2f} fused {b.fused:.2f}", flush=True)
    print(f"{args.size}, ms a frame, medians of {args.rounds} rounds (ranges), against "
          f"{args.against}:")
    print(summary("whole stage", [s.whole for s in ours], [s.whole for s in theirs]))
    print(summary("fused pass", [s.fused for s in ours], [s.fused for s in theirs]))


if __name__ == "__main__":
    main()
