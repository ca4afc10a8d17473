"""Pipeline benchmark: llie-video's file job vs a plain PyAV transcode, side by side in one run.

Builds dark test clips (30 fps, H.264 + AAC) at 720p and 1080p, noisy and cleaner (the noise
makes x264 itself slow), then alternates runs of
(a) a plain decode -> encode with the same encoder settings, (b) ``enhance_video`` with the
default model on the fast path (decoded planes, fused kernel) and (c) the same job on the RGB path
(frames converted to RGB by the decoder thread, rendered by the model's torch code), and prints
median fps and the ratios to (a). Then times the enhance stage alone, frame by frame in order on
the decoded frames of a 1080p clip (the camera still, a lamp moving, the light changing), for
each model with its shipped weights, fast path and RGB path. Prints figures; asserts nothing.

    python bench/pipeline.py [--seconds 4] [--repeats 3] [--sizes 720p,1080p] [--noise 1,0.25]
                             [--threads 1]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
from pathlib import Path

import av
import torch

from llie_video import create_model, list_models
from llie_video.sample import write_sample_clip
from llie_video.video.job import configure_cpu_threads, enhance_video
from llie_video.video.sinks import EncoderSettings
from llie_video.enhance.stage import EnhanceStage

SIZES = {"720p": (1280, 720), "1080p": (1920, 1080)}


def plain_transcode(source: Path, target: Path, encoder: EncoderSettings) -> int:
    """Decode -> encode with no processing (audio remuxed); returns frames written."""
    frames = 0
    with av.open(str(source)) as inp, av.open(str(target), "w") as out:
        vin = inp.streams.video[0]
        vin.thread_type = "AUTO"
        vout = out.add_stream(encoder.codec, rate=vin.average_rate)
        vout.width, vout.height, vout.pix_fmt = vin.codec_context.width, vin.codec_context.height, "yuv420p"
        vout.time_base = vin.time_base
        vout.codec_context.time_base = vin.time_base
        vout.thread_type = "AUTO"
        vout.options = {"crf": str(encoder.crf), "preset": encoder.preset}
        ain = inp.streams.audio[0] if inp.streams.audio else None
        aout = out.add_stream_from_template(ain) if ain is not None else None
        for packet in inp.demux([s for s in (vin, ain) if s is not None]):
            if packet.stream.type == "audio":
                if packet.dts is not None:
                    packet.stream = aout
                    out.mux(packet)
                continue
            for frame in packet.decode():
                out.mux(vout.encode(frame))
                frames += 1
        out.mux(vout.encode(None))
    return frames


def timed(fn) -> tuple[float, int]:
    start = time.perf_counter()
    frames = fn()
    return time.perf_counter() - start, frames


def bench_pipeline(clip: Path, work: Path, repeats: int,
                   stages: dict[str, EnhanceStage]) -> dict[str, float]:
    """Median fps of the plain transcode and of each stage's job, runs interleaved."""
    encoder = EncoderSettings()
    fps: dict[str, list[float]] = {"plain": [], **{name: [] for name in stages}}
    for i in range(repeats):
        t, n = timed(lambda: plain_transcode(clip, work / f"{clip.stem}_plain{i}.mp4", encoder))
        fps["plain"].append(n / t)
        for name, stage in stages.items():
            target = work / f"{clip.stem}_{name}{i}.mp4"
            t, n = timed(lambda: enhance_video(clip, target, stage, encoder).frames)
            fps[name].append(n / t)
    return {name: statistics.median(values) for name, values in fps.items()}


def decoded_frames(clip: Path, count: int) -> list[av.VideoFrame]:
    """The first ``count`` decoded frames of ``clip``."""
    with av.open(str(clip)) as container:
        return [frame for _, frame in zip(range(count), container.decode(video=0))]


def stage_ms(stage: EnhanceStage, frames: list[av.VideoFrame], budget_s: float = 20.0) -> float:
    """Median ms of the enhance stage per frame over a sequence of decoded frames, in order
    (temporal state carried from frame to frame as in a job; after a warm-up on the first): at
    least 3 frames, then as many as ``budget_s`` allows."""
    stage.process_planes(frames[0])
    stage.reset_temporal()
    times: list[float] = []
    for frame in frames:
        start = time.perf_counter()
        stage.process_planes(frame)
        times.append(time.perf_counter() - start)
        if len(times) >= 3 and sum(times) > budget_s:
            break
    return 1000 * statistics.median(times)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seconds", type=float, default=4.0)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--sizes", default="720p,1080p")
    p.add_argument("--noise", default="1,0.25",
                   help="sensor noise of the clips (write_sample_clip): 1 noisy (~80 Mbit/s at"
                        " 1080p), 0.25 a cleaner camera (~5 Mbit/s)")
    p.add_argument("--threads", type=int, default=1,
                   help="CPU threads of the enhance stage (torch, and the fused kernel of 'fast')")
    args = p.parse_args()
    device = torch.device("cpu")
    configure_cpu_threads(device, args.threads)
    model = create_model("default", pretrained=True)
    stages = {"fast": EnhanceStage(model, device, kernel_threads=args.threads),
              "fast2": EnhanceStage(model, device, kernel_threads=2),
              "rgb": EnhanceStage(model, device, fused=False)}
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, PyAV {av.__version__}")
    print(f"fast: fused kernel with {args.threads} thread(s); fast2: with 2; rgb: the RGB path")
    print(f"{'size':6s} {'noise':>5s} {'plain fps':>10s} {'fast fps':>10s} {'ratio':>6s}"
          f" {'fast2 fps':>10s} {'ratio':>6s} {'rgb fps':>10s} {'ratio':>6s}")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for label in args.sizes.split(","):
            width, height = SIZES[label]
            for noise in (float(n) for n in args.noise.split(",")):
                clip = write_sample_clip(work / f"dark_{label}_{noise}.mp4", args.seconds, width,
                                         height, 30, noise=noise)
                fps = bench_pipeline(clip, work, args.repeats, stages)
                plain = fps["plain"]
                print(f"{label:6s} {noise:5.2f} {plain:10.1f}" + "".join(
                    f" {fps[name]:10.1f} {fps[name] / plain:6.2f}" for name in stages))
        print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
        print("\nenhance stage on a 1080p clip's decoded frames in order, median ms a frame"
              " (estimate + smoothing + temporal noise reduction + render):")
        frames = decoded_frames(write_sample_clip(work / "stage.mp4", 2.0, 1920, 1080, 30), 60)
        print(f"  {'model':20s} {'fast':>8s} {'rgb':>8s}")
        for name in list_models():
            model = create_model(name, pretrained=True)
            fast = stage_ms(EnhanceStage(model, device, kernel_threads=args.threads), frames)
            rgb = stage_ms(EnhanceStage(model, device, fused=False), frames)
            print(f"  {name:20s} {fast:8.1f} {rgb:8.1f}")


if __name__ == "__main__":
    main()
