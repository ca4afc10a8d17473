"""``llie-video eval --video in.mp4``: flicker of the raw input, per-frame and smoothed output."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from llie_video.arguments import UserErrorParser
from llie_video.errors import UserError
from llie_video.flicker import brightness_variance, luma, mabd, warped_error
from llie_video.models import create_model
from llie_video.video.frame import Frame
from llie_video.video.sources import FileSource
from llie_video.enhance.settings import EnhanceSettings
from llie_video.images import write_rgb
from llie_video.picture_stats import contact_sheet, enhancement_stats, format_stats
from llie_video.enhance.stage import EnhanceStage


@dataclass(frozen=True)
class FlickerRow:
    """Flicker figures of one version of a clip (8-bit code values)."""

    name: str
    brightness_variance: float
    mabd: float
    warped_error: float
    mean_luma: float


def read_frames(path: str | Path, limit: int) -> list[Frame]:
    """Up to ``limit`` frames of a video, as decoded (the enhance stage takes the path a video
    job would)."""
    frames: list[Frame] = []
    with FileSource(path, decoded_frames=True) as source:
        for item in source:
            if isinstance(item, Frame):
                frames.append(item)
                if len(frames) >= limit:
                    break
    return frames


def measure(name: str, inputs: Sequence[np.ndarray], outputs: Sequence[np.ndarray]) -> FlickerRow:
    lumas = [float(luma(f).mean()) for f in outputs]
    return FlickerRow(name, brightness_variance(outputs), mabd(outputs), warped_error(inputs, outputs),
                      float(np.mean(lumas)))


def enhance_clip(path: str | Path, model_name: str, weights: str | None, smoothing: float,
                 limit: int) -> tuple[list[np.ndarray], dict[str, list[np.ndarray]]]:
    """Up to ``limit`` frames of a clip as RGB ``(H, W, 3)`` uint8, and the clip enhanced per
    frame (``"per-frame"``) and smoothed (``"smoothed S"``) as a file job would."""
    frames = read_frames(path, limit)
    if len(frames) < 2:
        raise ValueError(f"{path} has fewer than two frames")
    model = create_model(model_name, pretrained=weights is None, weights=weights)
    outputs: dict[str, list[np.ndarray]] = {}
    for label, strength in (("per-frame", 0.0), (f"smoothed {smoothing:g}", smoothing)):
        stage = EnhanceStage(model, torch.device("cpu"), settings=EnhanceSettings(smoothing=strength))
        outputs[label] = [stage.process_frame(f).rgb for f in frames]
    return [f.rgb for f in frames], outputs


def flicker_table(inputs: Sequence[np.ndarray],
                  outputs: dict[str, list[np.ndarray]]) -> list[FlickerRow]:
    """Flicker of the raw clip and of each enhanced version of it."""
    return [measure("input", inputs, inputs),
            *(measure(label, inputs, frames) for label, frames in outputs.items())]


def main(argv: Sequence[str]) -> int:
    p = UserErrorParser(prog="llie-video eval --video",
                description="Flicker figures and no-reference statistics of a clip, enhanced.")
    p.add_argument("--video", required=True, help="video file")
    p.add_argument("--model", default="default")
    p.add_argument("--weights")
    p.add_argument("--smoothing", type=float, default=EnhanceSettings().smoothing)
    p.add_argument("--frames", type=int, default=120, help="frames to read (default 120)")
    p.add_argument("--sheet", metavar="PNG", help="also write a before/after contact sheet")
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    try:
        inputs, outputs = enhance_clip(args.video, args.model, args.weights, args.smoothing,
                                       args.frames)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    print(f"{'':14s} {'brightness var':>14s} {'MABD':>7s} {'warped err':>10s} {'mean luma':>9s}")
    for r in flicker_table(inputs, outputs):
        print(f"{r.name:14s} {r.brightness_variance:14.3f} {r.mabd:7.2f} {r.warped_error:10.2f} {r.mean_luma:9.1f}")
    smoothed = list(zip(inputs, list(outputs.values())[-1]))
    print(format_stats(enhancement_stats(smoothed)))
    if args.sheet:
        write_rgb(Path(args.sheet), contact_sheet(smoothed))
        print(f"wrote {args.sheet}")
    return 0
