"""What a 10-bit output gives and costs: levels kept across a lifted dark gradient, and speed.

1. Levels: a still dark grey ramp (512 px wide, 8- and 10-bit input, x265 nearly lossless;
   :func:`llie_video.sample.write_gradient_clip`) enhanced with the CLI's defaults into x265
   crf 0 at 8 and at 10 bits; prints the distinct luma levels along the middle row of the last
   frame (the more, the narrower each band), and the span they cover in 10-bit units.
2. The enhance stage alone: mean ms a frame of the fused route over decoded sample frames
   (noisy, in order), 8-bit against 10-bit planes out, alternated round by round; the best
   round is the figure least disturbed by other work on a shared machine.
3. Whole jobs: fps of ``enhance_video`` on the sample clip with x264/x265 at 8 and 10 bits.

Asserts nothing. ``python bench/bit_depth.py [--size 720p] [--frames 30] [--rounds 3]``
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import av
import numpy as np
import torch

from llie_video import create_model
from llie_video.enhance.av_planes import yuv420_planes
from llie_video.enhance.stage import EnhanceStage
from llie_video.sample import decoded_sample_frames, write_gradient_clip, write_sample_clip
from llie_video.video.job import configure_cpu_threads, enhance_video
from llie_video.video.sinks import EncoderSettings

SIZES = {"720p": (1280, 720), "1080p": (1920, 1080)}
RAMPS = ((0.02, 0.05), (0.03, 0.10), (0.05, 0.30))  # luma, shares of the range


def row_levels(path: Path) -> tuple[int, int]:
    """Distinct luma levels along the middle row of the last frame, and their span, in
    10-bit units."""
    with av.open(str(path)) as container:
        frame = list(container.decode(video=0))[-1]
    row = yuv420_planes(frame)[0][frame.height // 2].astype(int)
    unit = 1 if frame.format.name.endswith("10le") else 4
    return len(np.unique(row)), unit * int(row.max() - row.min())


def levels(stage: EnhanceStage, folder: Path) -> None:
    print("distinct luma levels along a lifted ramp (512 px), span in 10-bit units")
    print("  input ramp            input        8-bit out    10-bit out")
    for low, high in RAMPS:
        for pix_fmt in ("yuv420p10le", "yuv420p"):
            source = write_gradient_clip(folder / f"ramp_{pix_fmt}.mkv", pix_fmt, frames=8,
                                         size=(512, 32), low=low, high=high)
            cells = [row_levels(source)]
            for bits in (8, 10):
                target = folder / f"out_{bits}.mkv"
                enhance_video(source, target, stage, EncoderSettings(
                    codec="libx265", crf=0, preset="ultrafast", bit_depth=bits), overwrite=True)
                cells.append(row_levels(target))
            depth = "10-bit" if pix_fmt.endswith("10le") else " 8-bit"
            print(f"  {low:.2f}-{high:.2f} {depth}  " + "  ".join(
                f"{n:4d} ({span:4d})" for n, span in cells))


def stage_ms(stage: EnhanceStage, frames: list[av.VideoFrame], rounds: int) -> None:
    times: dict[int, list[float]] = {8: [], 10: []}
    for bits in times:  # compile (or load) the kernel for these sample types first
        stage.output_bit_depth = bits
        stage.process_planes(frames[0])
    for _ in range(rounds):
        for bits in times:
            stage.output_bit_depth = bits
            stage.reset_temporal()
            start = time.perf_counter()
            for frame in frames:
                stage.process_planes(frame)
            times[bits].append(1000 * (time.perf_counter() - start) / len(frames))
    for bits, values in times.items():
        print(f"  stage, {frames[0].format.name} in, {bits}-bit planes out: "
              f"{min(values):6.2f} ms a frame at best, {statistics.median(values):6.2f} median")


def job_fps(stage: EnhanceStage, folder: Path, size: tuple[int, int], frames: int,
            rounds: int) -> None:
    clip = write_sample_clip(folder / "clip.mp4", frames / 30, *size, 30)
    runs = [(codec, bits) for codec in ("libx264", "libx265") for bits in (8, 10)]
    fps: dict[tuple[str, int], list[float]] = {run: [] for run in runs}
    for _ in range(rounds):
        for codec, bits in runs:
            result = enhance_video(clip, folder / "job.mp4", stage,
                                   EncoderSettings(codec=codec, bit_depth=bits), overwrite=True)
            fps[(codec, bits)].append(result.stats.fps)
    for (codec, bits), values in fps.items():
        print(f"  job, {codec} {bits}-bit: {statistics.median(values):5.1f} fps")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--size", choices=sorted(SIZES), default="720p")
    p.add_argument("--frames", type=int, default=30)
    p.add_argument("--rounds", type=int, default=5)
    args = p.parse_args()
    device = torch.device("cpu")
    configure_cpu_threads(device, 1)
    stage = EnhanceStage(create_model("default", pretrained=True), device, kernel_threads=1)
    stage.prepare()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        levels(stage, folder)
        width, height = SIZES[args.size]
        frames = decoded_sample_frames(args.frames, width, height)
        print(f"speed, {args.size}, {args.frames} frames, median of {args.rounds} rounds, one "
              "thread for the stage")
        stage_ms(stage, frames, args.rounds)
        stage_ms(stage, [f.reformat(format="yuv420p10le") for f in frames], args.rounds)
        job_fps(stage, folder, (width, height), args.frames, args.rounds)


if __name__ == "__main__":
    main()
