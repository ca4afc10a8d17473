"""The ``llie-video`` command.

``llie-video IN OUT [options]`` enhances a video, an image, or a folder of images. Other verbs:
``batch`` (many files, resumable, locally or on Ray), ``export`` (ONNX, TorchScript),
``sample`` (write a dark test clip), ``models`` (list them), ``encoders`` (those this machine
can use), ``train``, ``eval``.
A user mistake prints one line on stderr and exits with code 2.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from llie_video.arguments import UserErrorParser
from llie_video.config import load_config
from llie_video.enhance.settings import add_arguments as add_setting_arguments
from llie_video.enhance.settings import given_arguments as given_setting_arguments
from llie_video.errors import UserError
from llie_video.registry import Registry
from llie_video.runtimes.backends import BACKENDS
from llie_video.video.live_options import StreamOptions
from llie_video.video.pipeline import StageError

EXIT_FAILURE = 1
EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130


@dataclass(frozen=True)
class Verb:
    """A command other than enhancing: ``llie-video NAME ARGS``; ``run(ARGS)`` is its exit
    code."""

    run: Callable[[Sequence[str]], int]


VERBS: Registry[Verb] = Registry("command")  # filled below, after the commands' functions


_Parser = UserErrorParser


def _enhance_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="llie-video",
        description="Brighten dark videos and images with a tiny neural model. "
        f"Other commands: {', '.join(VERBS.names())} (llie-video COMMAND --help).",
    )
    p.add_argument("input", help="video file, image, or folder of images")
    p.add_argument("output", help="output file (or folder, for a folder of images)")
    _add_job_options(p)
    live = p.add_argument_group("live sources and outputs (webcam:N, rtsp://..., null)")
    live.add_argument("--transport", choices=["tcp", "udp"], default="tcp", help="RTSP transport")
    defaults = StreamOptions()  # the preview's too
    live.add_argument("--timeout", type=float, default=defaults.open_timeout_s, metavar="S",
                      help="open and read timeout for streams, seconds (default %(default)g)")
    live.add_argument("--reconnect-attempts", type=int, default=defaults.reconnect.attempts,
                      metavar="N", help="tries after a stream or webcam is lost, 0 = give up at "
                      "once (default %(default)d)")
    live.add_argument("--reconnect-interval", type=float, default=defaults.reconnect.interval_s,
                      metavar="S", help="first wait before a reconnect, doubled each try "
                      "(default %(default)g)")
    live.add_argument("--webcam-size", metavar="WxH", help="webcam capture size, e.g. 1280x720")
    live.add_argument("--webcam-fps", type=float, help="webcam capture rate")
    live.add_argument("--duration", type=float, metavar="S", help="stop a live job after S seconds")
    p.add_argument("-y", "--overwrite", action="store_true", help="overwrite an existing output")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar or summary")
    return p


def _add_job_options(p: argparse.ArgumentParser) -> None:
    """The model, enhancement, encoder and runtime options of a job (single file and batch)."""
    p.add_argument("--model", help="model name (see `llie-video models`); default: the shipped default")
    p.add_argument("--weights", help="checkpoint file to load instead of the shipped weights")
    p.add_argument("--device", choices=["auto", "cpu", "cuda"], help="compute device (default auto)")
    add_setting_arguments(p.add_argument_group("enhancement"))
    p.add_argument("--codec", help="video encoder, any FFmpeg one that runs here (default "
                   "libx264; see `llie-video encoders`)")
    p.add_argument("--crf", type=int, help="quality, lower is better: the encoder's own option "
                   "(x264/x265/SVT-AV1/VP9 crf, NVENC cq, QSV global_quality; default 20)")
    p.add_argument("--preset", help="encoder speed preset (default veryfast)")
    depth = p.add_mutually_exclusive_group()
    depth.add_argument("--bit-depth", type=int, choices=[8, 10],
                       help="8 or 10 bits per sample (default: the input's where the encoder "
                       "can write it)")
    depth.add_argument("--pix-fmt", help="output pixel format, e.g. yuv420p10le")
    p.add_argument("-v", "--verbose", action="store_true",
                   help="show the encoder's own banner and statistics (x265, SVT-AV1)")
    p.add_argument("--threads", type=int, help="CPU threads of the enhance stage (default 1; with 2 "
                   "or more one estimates the next frame while the others render)")
    p.add_argument("--backend", choices=BACKENDS.names(),
                   help="what runs the model's estimator: " + "; ".join(
                       f"{name}: {BACKENDS.get(name).description}" for name in BACKENDS))
    p.add_argument("--config", help="YAML job config (see configs/pipeline/default.yaml)")


def _job_config(args: argparse.Namespace):  # -> JobConfig
    from llie_video.job_config import JobConfig

    config = load_config(JobConfig, args.config)
    try:
        model = replace(config.model, **_given(name=args.model, weights=args.weights))
        enhance = replace(config.enhance, **given_setting_arguments(args))
        encoder = replace(config.encoder, **_given(codec=args.codec, crf=args.crf, preset=args.preset,
                                                   bit_depth=args.bit_depth, pix_fmt=args.pix_fmt,
                                                   verbose=args.verbose or None))
        runtime = replace(config.runtime, **_given(device=args.device, threads=args.threads,
                                                   backend=args.backend))
    except ValueError as exc:
        raise UserError(str(exc)) from None
    return JobConfig(model=model, enhance=enhance, encoder=encoder, runtime=runtime)


def _given(**values: object) -> dict[str, object]:
    return {k: v for k, v in values.items() if v is not None}


def _run_enhance(argv: Sequence[str]) -> int:
    args = _enhance_parser().parse_args(argv)
    config = _job_config(args)
    from llie_video.video.endpoints import is_live_job

    live = is_live_job(args.input, args.output)
    source, target = Path(args.input), Path(args.output)
    if not live and not source.exists():
        raise UserError(f"input not found: {source}")

    from llie_video.images import enhance_folder, enhance_image, is_image_path
    from llie_video.video.stage_builder import build_stage, describe_model

    stage = build_stage(config)
    say = (lambda message: None) if args.quiet else (lambda message: print(message, file=sys.stderr))
    using = f"{describe_model(stage.model)} on {stage.device}"

    if live:
        return _run_live(args, stage, config, say, using)
    if source.is_dir():
        count = enhance_folder(source, target, stage, args.overwrite)
        say(f"wrote {count} images to {target} ({using})")
        return 0
    if is_image_path(source):
        enhance_image(source, target, stage, args.overwrite)
        say(f"wrote {target} ({using})")
        return 0
    return _run_video(source, target, stage, config, args.overwrite, args.quiet, say, using)


def _run_video(source, target, stage, config, overwrite: bool, quiet: bool, say, using: str) -> int:
    from llie_video.video.job import FILE_FLOW, JobHooks, JobOptions, run_job
    from llie_video.video.progress import ProgressReporter

    progress = ProgressReporter(enabled=not quiet)

    def start(info) -> None:
        say(f"llie-video: {using}")
        began = time.monotonic()
        stage.prepare()  # the first run on a machine compiles the fused kernel
        if time.monotonic() - began > 2.0:
            say(f"llie-video: compiled the fast path in {time.monotonic() - began:.0f} s "
                "(once per machine; cached from now on)")
        progress.start(info)

    try:
        result = run_job(source, target, stage,
                         JobOptions(config.encoder, overwrite, flow=FILE_FLOW),
                         JobHooks(on_start=start, on_frame=progress.update))
    finally:
        progress.close()
    if result.interrupted:
        print(f"llie-video: interrupted; {target} holds the {result.frames} frames done so far "
              "and is playable", file=sys.stderr)
        return EXIT_INTERRUPTED
    say(f"wrote {result.frames} frames to {target} ({result.stats.fps:.1f} fps)")
    return 0


def _parse_size(text: str, option: str) -> tuple[int, int]:
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise UserError(f"{option} must look like 640x360, got {text!r}") from None
    return width, height


def _run_live(args: argparse.Namespace, stage, config, say, using: str) -> int:
    from llie_video.video.job import LIVE_FLOW, JobHooks, JobOptions, run_job
    from llie_video.video.live_status import LiveStatus
    from llie_video.video.live_options import ReconnectPolicy, WebcamOptions

    try:
        reconnect = ReconnectPolicy(attempts=args.reconnect_attempts,
                                    interval_s=args.reconnect_interval)
        stream = StreamOptions(transport=args.transport, open_timeout_s=args.timeout,
                               read_timeout_s=args.timeout, reconnect=reconnect)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    width, height = _parse_size(args.webcam_size, "--webcam-size") if args.webcam_size else (None, None)
    webcam = WebcamOptions(width=width, height=height, fps=args.webcam_fps, reconnect=reconnect)

    def report(status: LiveStatus) -> None:
        say(f"live: {status.fps:5.1f} fps, latency {status.latency_ms:4.0f} ms, "
            f"dropped {status.dropped}, frames {status.frames}, reconnects {status.reconnects}")

    say(f"llie-video: {using}; {args.input} -> {args.output} (live)")
    options = JobOptions(config.encoder, args.overwrite, stream, webcam, args.duration, LIVE_FLOW)
    result = run_job(args.input, args.output, stage, options, JobHooks(report=report))
    say(f"done: {result.frames} frames, {result.stats.dropped} dropped")
    return 0


def _run_batch(argv: Sequence[str]) -> int:
    p = _Parser(prog="llie-video batch",
                description="Enhance every video and image of a folder (recursively) or a glob "
                "into OUT_DIR, same relative paths, several files at once. Resumable: a manifest "
                "in OUT_DIR records each file; running the same command again skips the files "
                "done and retries the failed ones.")
    p.add_argument("input", help="folder, or a quoted glob such as 'footage/**/*.mp4'")
    p.add_argument("out_dir", help="output folder (with --engine ray: reachable by every node)")
    _add_job_options(p)
    p.add_argument("--jobs", type=int, metavar="N",
                   help="files at once (default: cores / (--threads + 1), a core for each "
                   "job's codec; jobs x threads <= cores)")
    from llie_video.batch.engines import ENGINES

    p.add_argument("--engine", choices=ENGINES.names(), default="local",
                   help="what runs the files: " + "; ".join(
                       f"{name}: {ENGINES.get(name).description}" for name in ENGINES)
                   + " (default local)")
    engine_options = {name: _added_options(p, ENGINES.get(name).add_arguments,
                                           f"--engine {name}") for name in ENGINES}
    p.add_argument("-y", "--overwrite", action="store_true",
                   help="overwrite outputs that the manifest does not know of")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar or summary")
    args = p.parse_args(argv)
    config = _job_config(args)
    from llie_video.batch.runner import BatchOptions, run_batch

    for name, options in engine_options.items():
        given = [option for dest, option in options if getattr(args, dest) is not None]
        if given and name != args.engine:
            raise UserError(f"{given[0]} is for --engine {name}")
    try:
        options = BatchOptions(jobs=args.jobs, engine=args.engine,
                               engine_options=ENGINES.get(args.engine).options_from(args),
                               overwrite=args.overwrite, progress=not args.quiet)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    summary = run_batch(args.input, Path(args.out_dir), config, options)
    from llie_video.batch.report import print_summary

    print_summary(summary, quiet=args.quiet)
    if summary.interrupted:
        return EXIT_INTERRUPTED
    return EXIT_FAILURE if summary.failed else 0


def _added_options(parser: argparse.ArgumentParser, add: Callable[[Any], None],
                   title: str) -> list[tuple[str, str]]:
    """Call ``add`` with a new argument group of ``parser`` named ``title``; the (dest, option
    string) of each argument it added."""
    group = parser.add_argument_group(title)
    add(group)
    return [(action.dest, action.option_strings[0]) for action in group._group_actions]


def _run_export(argv: Sequence[str]) -> int:
    p = _Parser(prog="llie-video export",
                description="Write a model for other runtimes. By default the full-frame graph: "
                "input 'image', RGB float in [0, 1], N x 3 x H x W (any height and width); output "
                "the enhanced RGB of the same size (downscale, estimate, upsample, render inside).")
    p.add_argument("model", help="model name (see `llie-video models`), or default")
    p.add_argument("output", help="file to write, e.g. model.onnx")
    p.add_argument("--format", choices=["onnx", "torchscript"], default="onnx",
                   help="onnx (pip install 'llie-video[onnx]') or torchscript (default onnx)")
    p.add_argument("--weights", help="checkpoint file to export instead of the shipped weights")
    p.add_argument("--estimator-only", action="store_true",
                   help="the estimator alone: image at the estimation size -> parameter maps")
    p.add_argument("-y", "--overwrite", action="store_true", help="overwrite an existing output")
    args = p.parse_args(argv)
    from llie_video.export.api import export_model
    from llie_video.models import create_model

    model = create_model(args.model, pretrained=args.weights is None, weights=args.weights)
    result = export_model(model, Path(args.output), args.format, args.estimator_only,
                          args.overwrite)
    graph = "estimator" if args.estimator_only else "full-frame graph"
    print(f"wrote {result.path} ({model.registry_name} {graph}, {args.format}; matches torch "
          f"within {result.max_difference:.1g})", file=sys.stderr)
    return 0


def _run_sample(argv: Sequence[str]) -> int:
    p = _Parser(prog="llie-video sample", description="Write a synthetic dark test clip with audio.")
    p.add_argument("output", help="output video file, e.g. dark.mp4")
    p.add_argument("--seconds", type=float, default=5.0)
    p.add_argument("--size", default="640x360", help="WIDTHxHEIGHT (default 640x360)")
    p.add_argument("--fps", type=int, default=30)
    p.add_argument("--noise", type=float, default=1.0,
                   help="sensor noise, relative (default 1: a small sensor in a dark room; 0.25: a"
                        " cleaner camera)")
    p.add_argument("-y", "--overwrite", action="store_true")
    args = p.parse_args(argv)
    width, height = _parse_size(args.size, "--size")
    from llie_video.sample import write_sample_clip

    path = write_sample_clip(Path(args.output), args.seconds, width, height, args.fps,
                             args.overwrite, noise=args.noise)
    print(f"wrote {path}", file=sys.stderr)
    return 0


def _run_models(argv: Sequence[str]) -> int:
    p = _Parser(prog="llie-video models", description="List the models: parameters, the size "
                "their estimator sees, and whether weights are shipped.")
    p.parse_args(argv)
    from llie_video.models import MODELS, list_models
    from llie_video.models.weights import Manifest

    manifest = Manifest.load()
    for name in list_models():
        figures = MODELS.get(name).figures
        assert figures is not None, f"model {name} is registered without its figures"
        side = figures.estimation_long_side
        estimates = f"estimates at {side} px" if side else "estimates at full size"
        shipped = "shipped weights" if name in manifest.models else "no shipped weights"
        default = " (default)" if name == manifest.default else ""
        print(f"{name:20s} {figures.parameters:>8,} parameters  {estimates:22s} "
              f"{shipped}{default}")
    return 0


def _run_encoders(argv: Sequence[str]) -> int:
    p = _Parser(prog="llie-video encoders",
                description="The common video encoders of this FFmpeg build, each tried on a tiny "
                "frame: whether it runs on this machine (and why not), whether it writes 10-bit "
                "video, and the option --crf sets. --codec takes any FFmpeg video encoder.")
    p.parse_args(argv)
    from llie_video.video.encoder_probe import common_encoders, status_of

    for name in common_encoders():
        status = status_of(name)
        depth = "8/10-bit" if status.ten_bit else "8-bit"
        crf = f"--crf: {status.quality}" if status.quality else "--crf: (own rate control)"
        state = "ok" if status.reason is None else f"cannot run here: {status.reason}"
        print(f"{status.name:18s} {depth:8s}  {crf:26s} {state}")
    return 0


def _run_train(argv: Sequence[str]) -> int:
    p = _Parser(prog="llie-video train", description="Train a model from a YAML config.")
    p.add_argument("config", help="training config, e.g. configs/train/zero_dce_pp.yaml")
    p.add_argument("overrides", nargs="*", help="dotted key=value overrides")
    args = p.parse_args(argv)
    from llie_video.training.api import train_from_config

    path = train_from_config(args.config, args.overrides)
    print(f"wrote {path}", file=sys.stderr)
    return 0


def _run_eval(argv: Sequence[str]) -> int:
    if any(a == "--video" or a.startswith("--video=") for a in argv):
        from llie_video.video.flicker_report import main as flicker_main

        return flicker_main(argv)
    if any(a == "--images" or a.startswith("--images=") for a in argv):
        from llie_video.image_report import main as images_main

        return images_main(argv)
    p = _Parser(prog="llie-video eval",
                description="PSNR/SSIM (paired or synthetic pairs) or image statistics (unpaired), "
                "parameters and ms per 1080p frame, beside the auto-gamma baseline. "
                "`--mode real`: every shipped model (or --model) alone and as run on the held-out "
                "real pairs, beside the authors' checkpoints and auto-gamma. "
                "`llie-video eval --video clip.mp4` measures flicker and `llie-video eval --images "
                "DIR` prints no-reference statistics (luma, black level, clipping, colour, hue "
                "shift, noise) instead.")
    p.add_argument("--model", help="model name (default: the default model; --mode real: every "
                   "shipped model)")
    p.add_argument("--data", help="LOL-layout folder, or a folder of images (--mode real: default "
                   "../shared/data/real_pairs/lol_train)")
    p.add_argument("--weights", help="checkpoint to load instead of the shipped weights")
    p.add_argument("--mode", choices=["auto", "paired", "synthetic", "unpaired", "real"], default="auto")
    p.add_argument("--split", choices=["validation", "train", "all"], default="validation",
                   help="--mode real: which part of the real pairs (default validation: held out)")
    p.add_argument("--no-timing", action="store_true", help="skip the 1080p timing")
    args = p.parse_args(argv)
    if args.mode == "real":
        return _run_eval_real(args)
    if args.data is None:
        raise UserError("--data is required (except with --mode real)")
    if not Path(args.data).is_dir():
        raise UserError(f"--data {args.data} is not a folder")
    from llie_video.training.evaluate import evaluate

    report = evaluate(args.model or "default", Path(args.data),
                      Path(args.weights) if args.weights else None, args.mode,
                      timing=not args.no_timing)
    print(report.format_table())
    return 0


def _run_eval_real(args: argparse.Namespace) -> int:
    from llie_video.models._registry import resolve_name
    from llie_video.models.weights import Manifest
    from llie_video.training.real_validation import REAL_PAIRS_ROOT, evaluate_real

    root = Path(args.data) if args.data else REAL_PAIRS_ROOT
    if not ((root / "low").is_dir() and (root / "high").is_dir()):
        raise UserError(f"real pairs not found: {root} needs low/ and high/ folders (pass --data)")
    if args.weights and not args.model:
        raise UserError("--weights needs --model (the architecture of the checkpoint)")
    models = [resolve_name(args.model)] if args.model else sorted(Manifest.load().models)
    weights = {models[0]: Path(args.weights)} if args.weights else None
    try:
        report = evaluate_real(models, root, args.split, weights)
    except ValueError as exc:  # no pairs in the split, unreadable images
        raise UserError(str(exc)) from None
    print(report.format_table())
    return 0


def _run_preview(argv: Sequence[str]) -> int:
    """``llie-video preview [SOURCE]``: the desktop preview window (PyQt6, imported only here)."""
    from gui.app import main as preview_main

    return preview_main(argv)


for _name, _run in (("batch", _run_batch), ("export", _run_export), ("sample", _run_sample),
                   ("models", _run_models), ("encoders", _run_encoders), ("train", _run_train),
                   ("eval", _run_eval), ("preview", _run_preview)):
    VERBS.register(_name, Verb(_run))


def _terminate_like_ctrl_c() -> None:
    """SIGTERM (a service manager, ``timeout``) stops a job the way Ctrl-C does, so recordings
    are finalised too."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda signum, frame: _raise_interrupt())


def _raise_interrupt() -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``llie-video`` console script; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    _terminate_like_ctrl_c()
    logging.basicConfig(level=logging.WARNING, format="llie-video: %(message)s")
    verb = VERBS.find(argv[0]) if argv else None
    try:
        if verb is not None:
            return verb.run(argv[1:])
        return _run_enhance(argv)
    except UserError as exc:
        print(f"llie-video: error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except StageError as exc:  # a failure while running (corrupt input, full disk, ...)
        print(f"llie-video: error: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print("llie-video: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
