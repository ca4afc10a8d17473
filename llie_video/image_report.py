"""``llie-video eval --images DIR``: no-reference statistics of a folder of photos (subfolders
included) before and after the enhancement, as ``llie-video DIR OUT`` would enhance them."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np
import torch

from llie_video.arguments import UserErrorParser
from llie_video.errors import UserError
from llie_video.images import is_image_path, read_rgb, write_rgb
from llie_video.picture_stats import contact_sheet, enhancement_stats, format_stats


def main(argv: Sequence[str]) -> int:
    from llie_video.models import create_model
    from llie_video.enhance.stage import EnhanceStage

    p = UserErrorParser(prog="llie-video eval --images",
                description="No-reference statistics of photos before and after enhancement: "
                "mean luma, black level, clipping, colourfulness, hue shift of well-exposed "
                "colours, noise.")
    p.add_argument("--images", required=True, metavar="DIR",
                   help="folder of photos (subfolders included)")
    p.add_argument("--model", default="default")
    p.add_argument("--weights")
    p.add_argument("--long-side", type=int, metavar="PX",
                   help="first shrink photos whose long side is larger to this many pixels (faster)")
    p.add_argument("--sheet", metavar="PNG", help="also write a before/after contact sheet")
    args = p.parse_args(argv)
    if args.long_side is not None and args.long_side < 16:
        raise UserError(f"--long-side must be at least 16, got {args.long_side}")
    folder = Path(args.images)
    if not folder.is_dir():
        raise UserError(f"--images {folder} is not a folder")
    paths = sorted(f for f in folder.rglob("*") if f.is_file() and is_image_path(f))
    if not paths:
        raise UserError(f"no images in {folder}")
    torch.set_num_threads(1)
    model = create_model(args.model, pretrained=args.weights is None, weights=args.weights)
    stage = EnhanceStage(model, torch.device("cpu"))
    pairs = []
    for path in paths:
        rgb = shrunk(read_rgb(path), args.long_side)
        stage.reset_temporal()  # photos are unrelated, as in `llie-video DIR OUT`
        pairs.append((rgb, stage.process(rgb)))
    stats = enhancement_stats(pairs)
    print(format_stats(stats))
    if stats.hue_shift_worst_index >= 0:
        print(f"  worst hue shift: {paths[stats.hue_shift_worst_index].relative_to(folder)}")
    print(f"  chroma ratio farthest from 1: {paths[stats.chroma_worst_index].relative_to(folder)}")
    if args.sheet:
        write_rgb(Path(args.sheet), contact_sheet(pairs))
        print(f"wrote {args.sheet}")
    return 0


def shrunk(rgb: np.ndarray, long_side: int | None) -> np.ndarray:
    """``rgb`` ``(H, W, 3)`` shrunk (area filter) so that its long side is at most ``long_side``,
    even sides kept even; unchanged when it already fits or ``long_side`` is None."""
    scale = 1.0 if long_side is None else long_side / max(rgb.shape[:2])
    if scale >= 1:
        return rgb
    width, height = (max(2, round(side * scale) // 2 * 2) for side in (rgb.shape[1], rgb.shape[0]))
    return cv2.resize(rgb, (width, height), interpolation=cv2.INTER_AREA)
