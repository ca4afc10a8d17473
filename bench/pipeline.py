"""Pipeline benchmark: llie-video's file job vs a plain PyAV transcode, side by side in one run.

Builds noisy dark test clips (30 fps, H.264 + AAC) at 720p and 1080p, then alternates runs of
(a) a plain decode -> encode with the same encoder settings and (b) ``enhance_video`` with the
default model, and prints median fps and their ratio. Then times each model's estimate + render on
one 1080p frame. Prints figures; asserts nothing.

    python bench/pipeline.py [--seconds 4] [--repeats 3] [--sizes 720p,1080p]
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
from llie_video.video.stage import EnhanceSettings, EnhanceStage

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


def bench_pipeline(clip: Path, work: Path, repeats: int, stage: EnhanceStage) -> tuple[float, float]:
    encoder = EncoderSettings()
    plain, ours = [], []
    for i in range(repeats):
        t, n = timed(lambda: plain_transcode(clip, work / f"{clip.stem}_plain{i}.mp4", encoder))
        plain.append(n / t)
        t, n = timed(lambda: enhance_video(clip, work / f"{clip.stem}_ours{i}.mp4", stage, encoder).frames)
        ours.append(n / t)
    return statistics.median(plain), statistics.median(ours)


@torch.inference_mode()
def model_ms(name: str, width: int, height: int, repeats: int = 7) -> float:
    model = create_model(name)
    stage = EnhanceStage(model, torch.device("cpu"), settings=EnhanceSettings())
    x = torch.rand(1, 3, height, width) * 0.3
    stage.enhance_tensor(x, stage.settings)
    times = []
    for _ in range(repeats):
        frame = x.clone()  # the stage may render in place
        start = time.perf_counter()
        stage.enhance_tensor(frame, stage.settings)
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seconds", type=float, default=4.0)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--sizes", default="720p,1080p")
    p.add_argument("--threads", type=int, default=1, help="torch threads for the enhance stage")
    args = p.parse_args()
    device = torch.device("cpu")
    configure_cpu_threads(device, args.threads)
    stage = EnhanceStage(create_model("default", pretrained=True), device)
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, PyAV {av.__version__}")
    print(f"{'size':6s} {'plain fps':>10s} {'llie fps':>10s} {'ratio':>6s}")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for label in args.sizes.split(","):
            width, height = SIZES[label]
            clip = write_sample_clip(work / f"dark_{label}.mp4", args.seconds, width, height, 30)
            plain, ours = bench_pipeline(clip, work, args.repeats, stage)
            print(f"{label:6s} {plain:10.1f} {ours:10.1f} {ours / plain:6.2f}")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    print("\nestimate + render, one 1080p frame, median ms (model's default estimation size):")
    for name in list_models():
        print(f"  {name:20s} {model_ms(name, 1920, 1080):8.1f} ms")


if __name__ == "__main__":
    main()
