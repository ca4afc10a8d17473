"""Day and night: output luma and its frame-to-frame change across a night -> day -> night
exposure ramp, and a headlight sweeping through a night scene (the scenes of
tests/helpers/daylight.py), through the enhance stage with the default model and settings.

    python bench/daylight.py [--fps 10] [--ramp 120] [--size 96x64]

Prints a row every ``--every`` seconds (time, phase, input and output mean luma in codes, the
daylight factor), then per phase the largest frame-to-frame change of the input's and the
output's mean luma and the mean absolute difference output - input, and the headlight figures.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from llie_video import create_model  # noqa: E402
from llie_video.enhance.stage import EnhanceStage  # noqa: E402
from tests.helpers.daylight import Ramp, headlight_sweep  # noqa: E402


def luma(frame) -> np.ndarray:
    return frame.to_ndarray(format="gray").astype(np.float64)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--fps", type=float, default=10.0)
    p.add_argument("--ramp", type=float, default=120.0, help="seconds of each ramp")
    p.add_argument("--size", default="96x64")
    p.add_argument("--every", type=float, default=10.0, help="seconds between printed rows")
    args = p.parse_args()
    size = tuple(int(v) for v in args.size.lower().split("x"))
    torch.set_num_threads(1)
    model = create_model("default", pretrained=True)
    stage = EnhanceStage(model, torch.device("cpu"), kernel_threads=1)
    ramp = Ramp(night_s=20.0, ramp_s=args.ramp, day_s=60.0, fps=args.fps)
    rows = []
    print(f"ramp: {ramp.seconds:g} s at {args.fps:g} fps, {size[0]}x{size[1]}")
    print(f"{'t s':>6} {'phase':6} {'in':>6} {'out':>6} {'factor':>6}")
    every = max(1, int(round(args.every * args.fps)))
    for i, (t, frame) in enumerate(ramp.frames(size)):
        y_in, y_out = luma(frame), luma(stage.process_planes(frame))
        rows.append((ramp.phase(t), y_in.mean(), y_out.mean(), np.abs(y_out - y_in).mean()))
        if i % every == 0:
            print(f"{t:6.0f} {ramp.phase(t):6} {y_in.mean():6.1f} {y_out.mean():6.1f} "
                  f"{stage.daylight.factor:6.3f}")
    steps_in = np.abs(np.diff([r[1] for r in rows]))
    steps_out = np.abs(np.diff([r[2] for r in rows]))
    print(f"{'phase':6} {'max step in':>11} {'max step out':>12} {'mean |out-in|':>13}")
    for phase in ("night", "dusk", "day"):
        pick = [i for i, r in enumerate(rows[1:]) if r[0] == phase]
        print(f"{phase:6} {steps_in[pick].max():11.2f} {steps_out[pick].max():12.2f} "
              f"{np.mean([rows[i + 1][3] for i in pick]):13.2f}")
    settled = [r[3] for r in rows if r[0] == "day"][-int(20 * args.fps):]
    print(f"day, last 20 s: mean |out - in| {np.mean(settled):.2f} codes")

    stage.reset_temporal()
    factors, corner, lit_out, dark_out = [], [], [], []
    for t, lit, frame in headlight_sweep(size, fps=15.0, seconds=12.0):
        y_out = luma(stage.process_planes(frame))
        factors.append(stage.daylight.factor)
        (lit_out if lit else dark_out).append(y_out.mean())
        if not lit and t > 1.0:
            corner.append(y_out[-size[1] // 5:, : size[0] // 6].mean())
    print(f"headlight (2 s sweep at 15 fps): lowest factor {min(factors):.3f}; unlit corner "
          f"output {min(corner):.1f}..{max(corner):.1f}; mean output {np.mean(dark_out):.1f} "
          f"unlit, {np.mean(lit_out):.1f} lit")


if __name__ == "__main__":
    main()
