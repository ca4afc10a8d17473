"""``llie-video eval --images DIR``: no-reference statistics of a folder of photos before and
after the enhancement, as ``llie-video DIR OUT`` would enhance them."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import torch

from llie_video.arguments import UserErrorParser
from llie_video.errors import UserError
from llie_video.images import IMAGE_SUFFIXES, read_rgb, write_rgb
from llie_video.picture_stats import contact_sheet, enhancement_stats, format_stats


def main(argv: Sequence[str]) -> int:
    from llie_video.models import create_model
    from llie_video.enhance.stage import EnhanceStage

    p = UserErrorParser(prog="llie-video eval --images",
                description="No-reference statistics of photos before and after enhancement: "
                "mean luma, black level, clipping, colourfulness, noise.")
    p.add_argument("--images", required=True, metavar="DIR", help="folder of photos")
    p.add_argument("--model", default="default")
    p.add_argument("--weights")
    p.add_argument("--sheet", metavar="PNG", help="also write a before/after contact sheet")
    args = p.parse_args(argv)
    folder = Path(args.images)
    if not folder.is_dir():
        raise UserError(f"--images {folder} is not a folder")
    paths = sorted(f for f in folder.iterdir() if f.suffix.lower() in IMAGE_SUFFIXES)
    if not paths:
        raise UserError(f"no images in {folder}")
    torch.set_num_threads(1)
    model = create_model(args.model, pretrained=args.weights is None, weights=args.weights)
    stage = EnhanceStage(model, torch.device("cpu"))
    pairs = []
    for path in paths:
        rgb = read_rgb(path)
        stage.reset_temporal()  # photos are unrelated, as in `llie-video DIR OUT`
        pairs.append((rgb, stage.process(rgb)))
    print(format_stats(enhancement_stats(pairs)))
    if args.sheet:
        write_rgb(Path(args.sheet), contact_sheet(pairs))
        print(f"wrote {args.sheet}")
    return 0
