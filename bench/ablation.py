"""Ablation of the training-time techniques of issue 7 on IAT-lite (and LFPV on Zero-DCE++).

Every variant trains from the same YAML (``configs/train/iat_lite.yaml`` by default) with the same
seed, data, step budget and schedule; only the ``techniques`` section differs. Each trained model
(EMA weights) is scored on the synthetic-pair validation set of the training issue (the recipe in
``weights/MANIFEST.json``: validation split of SICE, luma 90-170, default degradation, seed 0,
default estimation size), and timed on a 1280x720 frame with one thread: eager ``model(x)``
(estimate at the model's default size, upsample, torch render), the estimate alone, and the
video stage's fast path (``EnhanceStage.process_planes`` on a yuv420p frame: estimate, temporal
smoothing, fused render), which is what ``llie-video`` runs on video.

Prints a Markdown table (PSNR, SSIM, inference parameters, extra LFPV entries, ms per 720p frame)
and writes ``results.json`` under ``--out`` after every variant, so a partial run keeps its rows;
at the end all variants are timed again round-robin (``--rounds``) and the medians replace the
first timings.
Runs resume from ``--out/<variant>/last.pt`` (a finished run is only scored and timed again).

    python bench/ablation.py [--steps 150] [--variants base pog adr adr_pog lfpv]
                             [--out bench_out/ablation]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import av
import numpy as np
import torch

from llie_video.config import load_config
from llie_video.models.base import EnhancementModel
from llie_video.techniques.plugin import find_bank
from llie_video.training.checkpoints import load_run_checkpoint
from llie_video.training.config import TrainConfig
from llie_video.training.evaluate import model_enhancer, score_pairs, synthetic_validation_pairs
from llie_video.training.sources import build_source
from llie_video.training.trainer import build_state, run_training
from llie_video.enhance.stage import EnhanceStage

VARIANTS: dict[str, tuple[str, list[str]]] = {
    "base": ("iat_lite", []),
    "pog": ("iat_lite", ["techniques.pog.enabled=true"]),
    "adr": ("iat_lite", ["techniques.adr.enabled=true"]),
    "adr_pog": ("iat_lite", ["techniques.adr.enabled=true", "techniques.pog.enabled=true"]),
    "lfpv": ("iat_lite", ["techniques.lfpv.enabled=true"]),
    "zero_dce_pp": ("zero_dce_pp", []),
    "zero_dce_pp_lfpv": (
        "zero_dce_pp",
        ["techniques.lfpv.enabled=true", "techniques.lfpv.layer=estimator.e_conv4"],
    ),
}


@dataclass(frozen=True)
class Row:
    """One variant's figures."""

    variant: str
    arch: str
    steps: int
    train_minutes: float
    psnr: float
    ssim: float
    parameters: int
    lfpv_entries: int
    ms_720p: float
    ms_estimate: float
    ms_stage: float
    psnr_without_entries: float | None = None


def variant_config(
    base: Path, variant: str, steps: int, out: Path, seed: int | None = None
) -> TrainConfig:
    """The base config with the variant's architecture, techniques, budget, run folder and
    (unless None) seed."""
    arch, overrides = VARIANTS[variant]
    if seed is not None:
        overrides = [*overrides, f"seed={seed}"]
    return load_config(
        TrainConfig,
        base,
        [
            f"model.arch={arch}",
            f"name={variant}",
            f"run_dir={out / variant}",
            f"optim.steps={steps}",
            "export.enabled=false",
            *overrides,
        ],
    )


def trained_model(config: TrainConfig, checkpoint: Path) -> EnhancementModel:
    """The variant's model with the EMA weights of ``checkpoint``, in eval mode on the CPU."""
    state = build_state(config, torch.device("cpu"))
    run = load_run_checkpoint(checkpoint)
    state.model.load_state_dict(run["params_ema"])
    return state.model.eval()


def median_ms(fn: object, x: torch.Tensor, repeats: int) -> float:
    """Median wall time (ms) of ``fn(x)`` without gradients, after one warm-up call."""
    times = []
    with torch.no_grad():
        for i in range(repeats + 1):
            start = time.perf_counter()
            fn(x)  # type: ignore[operator]
            if i:
                times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def yuv_frame(width: int = 1280, height: int = 720) -> av.VideoFrame:
    """A dark, noisy yuv420p frame."""
    rgb = (np.random.default_rng(0).random((height, width, 3)) * 60 + 10).astype(np.uint8)
    return av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p")


def timings(model: EnhancementModel, repeats: int) -> tuple[float, float, float]:
    """``(ms per 1280x720 frame eager, ms of the estimate alone at the default size, ms of the
    video stage's fast path on a 720p yuv420p frame)``."""
    frame = torch.rand(1, 3, 720, 1280, generator=torch.Generator().manual_seed(0))
    side = model.estimation_long_side or 1280
    low = torch.rand(1, 3, round(side * 720 / 1280), side)
    eager, estimate = median_ms(model, frame, repeats), median_ms(model.estimate, low, repeats)
    stage = EnhanceStage(model, torch.device("cpu"), kernel_threads=1)
    return eager, estimate, median_ms(stage.process_planes, yuv_frame(), repeats)


def run_variant(
    base: Path, variant: str, steps: int, out: Path, pairs: list, repeats: int, seed: int | None
) -> tuple[Row, EnhancementModel]:
    """Train (or resume) one variant, then score and time it; returns its row and model."""
    config = variant_config(base, variant, steps, out, seed)
    start = time.perf_counter()
    checkpoint = run_training(config, build_source(config.data), progress=False)
    minutes = (time.perf_counter() - start) / 60
    model = trained_model(config, checkpoint)
    scores = score_pairs(model_enhancer(model), pairs)
    bank = find_bank(model)
    bypassed = None
    if bank is not None:  # the same trained model with the entries bypassed (I_hat)
        with bank.bypassed():
            bypassed = score_pairs(model_enhancer(model), pairs).psnr
    ms_frame, ms_estimate, ms_stage = timings(model, repeats)
    row = Row(
        variant, config.model.arch, steps, round(minutes, 2), scores.psnr, scores.ssim,
        model.num_parameters(), bank.num_entries_parameters() if bank is not None else 0,
        ms_frame, ms_estimate, ms_stage, bypassed,
    )
    return row, model


def retime(rows: list[Row], models: list[EnhancementModel], rounds: int, repeats: int) -> list[Row]:
    """Time the models again round-robin (``rounds`` rounds of ``repeats`` runs each) and keep
    the median per model, so a load change on a shared machine hits every variant alike."""
    samples: list[list[tuple[float, float, float]]] = [[] for _ in models]
    for _ in range(rounds):
        for i, model in enumerate(models):
            samples[i].append(timings(model, repeats))
    return [
        replace(row, **{name: statistics.median(t[k] for t in times)
                        for k, name in enumerate(("ms_720p", "ms_estimate", "ms_stage"))})
        for row, times in zip(rows, samples, strict=True)
    ]


def format_table(rows: list[Row]) -> str:
    """A Markdown table of ``rows``."""
    lines = [
        "| variant | model | PSNR dB | SSIM | inference params | of which LFPV entries "
        "| ms / 720p eager | ms estimate | ms / 720p stage |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    notes = []
    for r in rows:
        if r.psnr_without_entries is not None:
            notes.append(f"{r.variant}: {r.psnr_without_entries:.2f} dB with the entries bypassed")
        lines.append(
            f"| {r.variant} | {r.arch} | {r.psnr:.2f} | {r.ssim:.4f} | {r.parameters:,} "
            f"| {r.lfpv_entries:,} | {r.ms_720p:.1f} | {r.ms_estimate:.1f} | {r.ms_stage:.1f} |"
        )
    return "\n".join(lines + notes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", type=Path, default=Path("configs/train/iat_lite.yaml"))
    parser.add_argument("--steps", type=int, default=150)
    parser.add_argument("--variants", nargs="+", default=["base", "pog", "adr", "adr_pog", "lfpv"],
                        choices=sorted(VARIANTS))
    parser.add_argument("--out", type=Path, default=Path("bench_out/ablation"))
    parser.add_argument("--repeats", type=int, default=5, help="timing repeats per variant")
    parser.add_argument("--seed", type=int, default=None, help="instead of the config's seed")
    parser.add_argument("--rounds", type=int, default=5,
                        help="round-robin timing rounds over all variants at the end (0: none)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    base = load_config(TrainConfig, args.config)
    pairs = synthetic_validation_pairs(Path(base.data.root))
    args.out.mkdir(parents=True, exist_ok=True)
    rows: list[Row] = []
    models: list[EnhancementModel] = []
    for variant in args.variants:
        row, model = run_variant(
            args.config, variant, args.steps, args.out, pairs, args.repeats, args.seed
        )
        rows.append(row)
        models.append(model)
        (args.out / "results.json").write_text(json.dumps([asdict(r) for r in rows], indent=1))
        print(format_table(rows[-1:]).splitlines()[2], flush=True)
    if args.rounds > 0:
        rows = retime(rows, models, args.rounds, args.repeats)
        (args.out / "results.json").write_text(json.dumps([asdict(r) for r in rows], indent=1))
    seed = base.seed if args.seed is None else args.seed
    print(f"\n{len(pairs)} validation pairs, {args.steps} steps per variant, seed {seed}; "
          f"timings: median of {args.rounds} round-robin rounds of {args.repeats} runs\n")
    print(format_table(rows))


if __name__ == "__main__":
    main()
