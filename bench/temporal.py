"""Temporal smoothing benchmark: flicker with smoothing off vs on, on realistic clips.

Clips are built in memory (no codec in the loop) from the shared low-light photos and from clean
well-exposed images (synthetic pairs, so PSNR against the clean target is known):

- ``pan``:    a slow pan and zoom across a real dark photo, fresh sensor noise every frame and
              +-3% exposure jitter;
- ``cut``:    two real dark photos with a hard cut in the middle;
- ``object``: a bright lamp moving across a real dark photo (trail check; frames saved as PNG);
- ``pair``:   a slow pan across a clean image, darkened in linear light with Poisson-Gaussian
              noise each frame; the clean frames are the target.

Prints, per clip and smoothing strength: flow-warped error, MABD (and its deviation from the
target's, for ``pair``), PSNR vs target, frames to settle after the cut, trail error. Asserts
nothing. Needs ../shared/data (skips clips whose photos are missing).

    python bench/temporal.py [--frames 40] [--smoothing 0.7] [--path planes|rgb] [--out bench_out/]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import av
import cv2
import numpy as np
import torch

from llie_video import create_model
from llie_video.data.degradation import DegradationParams, apply_degradation
from llie_video.flicker import mabd, warped_error
from llie_video.images import read_rgb
from llie_video.enhance.settings import EnhanceSettings
from llie_video.enhance.stage import EnhanceStage

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
SIZE = (480, 320)  # width, height of the clips
GEN = torch.Generator().manual_seed(0)


def _window(image: np.ndarray, t: float, zoom: float = 0.08) -> np.ndarray:
    """A crop that pans left to right and zooms in slightly as ``t`` goes 0 -> 1, resized to SIZE.

    A rigid camera path, as a real pan and zoom gives: sub-pixel crop positions and one scale
    for both axes from frame to frame. (Whole-pixel crops, as this benchmark once cut, made the
    motion jitter between frames, the horizontal scale alternating between 1.000 and 1.003.)"""
    h, w = image.shape[:2]
    factor = SIZE[0] / (0.7 * w)
    if factor < 1.0:  # minify by area first: the bilinear warp below would alias
        size = (round(w * factor), round(h * factor))
        image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
        h, w = image.shape[:2]
    scale = 1.0 - zoom * t
    cw, ch = w * 0.7 * scale, h * 0.7 * scale
    x0, y0 = (w - cw) * (0.2 + 0.6 * t), (h - ch) / 2
    sx, sy = cw / SIZE[0], ch / SIZE[1]  # source pixels per output pixel
    to_source = np.float32([[sx, 0, x0 + 0.5 * sx - 0.5], [0, sy, y0 + 0.5 * sy - 0.5]])
    return cv2.warpAffine(image, to_source, SIZE, flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                          borderMode=cv2.BORDER_REFLECT)


def _to_tensor(rgb: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(rgb).permute(2, 0, 1).float() / 255


def _to_uint8(x: torch.Tensor) -> np.ndarray:
    return (x.permute(1, 2, 0) * 255 + 0.5).clamp(0, 255).to(torch.uint8).numpy()


def _sensor(rgb: np.ndarray, exposure: float, photons: float = 3000.0) -> np.ndarray:
    """Fresh Poisson-Gaussian noise (and an exposure factor) on an sRGB frame."""
    params = DegradationParams(exposure=exposure, photons=photons, read_noise=0.001)
    return _to_uint8(apply_degradation(_to_tensor(rgb), params, GEN))


def _jitter(n: int) -> np.ndarray:
    return 1.0 + 0.03 * np.random.default_rng(1).standard_normal(n)


def pan_clip(photo: np.ndarray, n: int) -> list[np.ndarray]:
    return [_sensor(_window(photo, i / n), e) for i, e in zip(range(n), _jitter(n))]


def cut_clip(first: np.ndarray, second: np.ndarray, n: int) -> list[np.ndarray]:
    half = n // 2
    return [_sensor(_window(first if i < half else second, 0.5), 1.0) for i in range(n)]


def object_clip(photo: np.ndarray, n: int) -> list[np.ndarray]:
    base = _window(photo, 0.5).astype(np.float32)
    yy, xx = np.mgrid[0 : SIZE[1], 0 : SIZE[0]]
    frames = []
    for i in range(n):
        cx = SIZE[0] * (0.1 + 0.8 * i / n)
        lamp = np.exp(-((xx - cx) ** 2 + (yy - SIZE[1] * 0.4) ** 2) / (2 * 14.0**2))[..., None]
        frames.append(_sensor(np.clip(base + 230 * lamp, 0, 255).astype(np.uint8), 1.0))
    return frames


def pair_clip(clean_image: np.ndarray, n: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    targets = [_window(clean_image, i / n) for i in range(n)]
    inputs = [_sensor(t, 0.03 * e, photons=4000.0) for t, e in zip(targets, _jitter(n))]
    return inputs, targets


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float(10 * np.log10(255.0**2 / max(mse, 1e-12)))


def enhance(model, frames: list[np.ndarray], smoothing: float, path: str) -> list[np.ndarray]:
    """Enhance RGB ``frames`` as a video job would: through yuv420p planes (BT.601 limited, the
    fused kernel) for ``path == "planes"``, or as RGB arrays for ``path == "rgb"``."""
    stage = EnhanceStage(model, torch.device("cpu"), settings=EnhanceSettings(smoothing=smoothing))
    if path == "rgb":
        return [stage.process(f) for f in frames]
    out = []
    for rgb in frames:
        frame = av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p")
        out.append(stage.process_planes(frame).to_ndarray(format="rgb24"))
    return out


def _photo(*parts: str) -> np.ndarray | None:
    path = SHARED.joinpath(*parts)
    return read_rgb(path) if path.is_file() else None


def _well_exposed(folder: Path) -> np.ndarray | None:
    """The first image (by name) whose mean luma is 100-160: a clean target."""
    for path in sorted(folder.glob("*.jpg"))[:50]:
        image = read_rgb(path)
        if 100 <= (image.astype(np.float32) @ [0.299, 0.587, 0.114]).mean() <= 160:
            return image
    return None


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--frames", type=int, default=40)
    p.add_argument("--smoothing", type=float, default=EnhanceSettings().smoothing)
    p.add_argument("--model", default="default")
    p.add_argument("--weights", help="checkpoint to load instead of the shipped weights")
    p.add_argument("--out", default="bench_out", help="folder for the trail PNG")
    p.add_argument("--path", choices=("planes", "rgb"), default="planes",
                   help="the video path (yuv420p planes, as files and streams) or RGB frames")
    args = p.parse_args()
    torch.set_num_threads(1)
    model = create_model(args.model, pretrained=args.weights is None, weights=args.weights)
    dark_a = _photo("test", "DICM", "01.jpg")
    dark_b = _photo("test", "LIME", "1.bmp")
    clean = _well_exposed(SHARED / "train" / "sice_zero_dce")
    if dark_a is None or dark_b is None:
        raise SystemExit(f"shared photos not found under {SHARED}")
    n = args.frames
    clips: dict[str, tuple[list[np.ndarray], list[np.ndarray] | None]] = {
        "pan": (pan_clip(dark_a, n), None),
        "cut": (cut_clip(dark_a, dark_b, n), None),
        "object": (object_clip(dark_b, n), None),
    }
    if clean is not None:
        clips["pair"] = pair_clip(clean, n)
    print(f"model {args.model}, {args.path} path, {n} frames of {SIZE[0]}x{SIZE[1]} per clip, smoothing 0 vs {args.smoothing}")
    print(f"{'clip':7s} {'warp off':>9s} {'warp on':>8s} {'change':>7s} {'MABD off':>9s} {'MABD on':>8s}"
          f" {'target':>7s} {'PSNR off':>9s} {'PSNR on':>8s}")
    for name, (frames, targets) in clips.items():
        off = enhance(model, frames, 0.0, args.path)
        on = enhance(model, frames, args.smoothing, args.path)
        w_off, w_on = warped_error(frames, off), warped_error(frames, on)
        row = f"{name:7s} {w_off:9.2f} {w_on:8.2f} {100 * (w_on / w_off - 1):+6.0f}% {mabd(off):9.2f} {mabd(on):8.2f}"
        if targets is not None:
            p_off = np.mean([psnr(a, b) for a, b in zip(off, targets)])
            p_on = np.mean([psnr(a, b) for a, b in zip(on, targets)])
            row += f" {mabd(targets):7.2f} {p_off:9.2f} {p_on:8.2f}"
        print(row)
        if name == "cut":
            cut = n // 2
            settle = [float(np.abs(on[t].astype(float) - off[t]).mean()) for t in range(cut, cut + 4)]
            steady = float(np.abs(on[cut - 1].astype(float) - off[cut - 1]).mean())
            print(f"        mean |on - off| from the cut on: {', '.join(f'{v:.2f}' for v in settle)}"
                  f" (steady state before the cut: {steady:.2f}; 0 at the cut = state reset)")
        if name == "object":
            out = Path(args.out)
            out.mkdir(parents=True, exist_ok=True)
            strip = np.vstack([np.hstack([off[t], on[t]]) for t in (n // 2, n - 2)])
            cv2.imwrite(str(out / "temporal_object.png"), cv2.cvtColor(strip, cv2.COLOR_RGB2BGR))
            print(f"        frames (left off, right on) saved to {out / 'temporal_object.png'}")


if __name__ == "__main__":
    main()
