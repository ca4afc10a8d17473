"""Training and validation sources: unpaired images, paired folders, synthetic pairs, video frames.

A source draws one training sample from a ``numpy.random.Generator``; the trainer seeds that
generator from ``(seed, step, slot)``, so the data of any step is reproducible and a resumed run
sees exactly the batches an uninterrupted one would. Images are ``(3, H, W)`` float tensors in
[0, 1]; random crops are ``crop x crop`` (or the whole image when it is smaller) with random
horizontal and vertical flips.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np
import torch

from llie_video.data.degradation import DegradationConfig, degrade
from llie_video.data.splits import REAL_HELD_OUT_FRACTION, Split, select_split

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp"})
WELL_EXPOSED_LUMA = (90.0, 170.0)


@dataclass(frozen=True)
class Sample:
    """A training sample: ``input`` ``(3, H, W)`` and, for pairs, ``target`` of the same shape."""

    input: torch.Tensor
    target: torch.Tensor | None = None


class Source(Protocol):
    """Anything the trainer can draw samples from."""

    def sample(self, rng: np.random.Generator) -> Sample: ...


def list_images(folder: Path) -> list[Path]:
    """Image files directly in ``folder``, sorted; a ValueError if there are none."""
    if not folder.is_dir():
        raise ValueError(f"image folder not found: {folder}")
    paths = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
    if not paths:
        raise ValueError(f"no images in {folder}")
    return paths


def load_rgb(path: Path, reduce: int = 1) -> np.ndarray:
    """Read ``(H, W, 3)`` uint8 RGB; ``reduce`` in {1, 2, 4, 8} decodes at that fraction."""
    flags = {1: cv2.IMREAD_COLOR, 2: cv2.IMREAD_REDUCED_COLOR_2, 4: cv2.IMREAD_REDUCED_COLOR_4,
             8: cv2.IMREAD_REDUCED_COLOR_8}[reduce]
    image = cv2.imdecode(np.fromfile(str(path), dtype=np.uint8), flags)
    if image is None:
        raise ValueError(f"cannot read {path} as an image")
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


def to_tensor(rgb: np.ndarray) -> torch.Tensor:
    """``(H, W, 3)`` uint8 -> ``(3, H, W)`` float32 in [0, 1]."""
    return torch.from_numpy(np.ascontiguousarray(rgb)).permute(2, 0, 1).float().div_(255.0)


def mean_luma(rgb: np.ndarray) -> float:
    """Mean BT.601 luma of a uint8 ``(H, W, 3)`` image, in 0-255."""
    return float((rgb.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)).mean())


def select_well_exposed(
    paths: Sequence[Path], luma_range: tuple[float, float] = WELL_EXPOSED_LUMA
) -> list[Path]:
    """The images whose mean luma (of 255, measured at 1/4 size) lies in ``luma_range``."""
    low, high = luma_range
    return [p for p in paths if low <= mean_luma(load_rgb(p, reduce=4)) <= high]


def random_crop_flip(rgbs: Sequence[np.ndarray], crop: int, rng: np.random.Generator) -> list[np.ndarray]:
    """One random ``crop x crop`` window and flips, the same for every array of ``rgbs``
    (all ``(H, W, 3)`` of one size); a side shorter than ``crop`` is kept whole."""
    h, w = rgbs[0].shape[:2]
    ch, cw = min(crop, h), min(crop, w)
    top = int(rng.integers(0, h - ch + 1))
    left = int(rng.integers(0, w - cw + 1))
    flip_h, flip_v = bool(rng.integers(2)), bool(rng.integers(2))
    out = []
    for rgb in rgbs:
        patch = rgb[top : top + ch, left : left + cw]
        if flip_h:
            patch = patch[:, ::-1]
        if flip_v:
            patch = patch[::-1]
        out.append(patch)
    return out


def seed_from(*parts: int | str) -> int:
    """A 63-bit seed fixed by ``parts`` (for ``torch.Generator.manual_seed``)."""
    digest = hashlib.sha256(repr(parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


class UnpairedImages:
    """Random crops of images with no reference (zero-reference or SCI training)."""

    def __init__(self, paths: Sequence[Path], crop: int) -> None:
        if not paths:
            raise ValueError("no images for the unpaired source")
        self.paths, self.crop = list(paths), crop

    def sample(self, rng: np.random.Generator) -> Sample:
        path = self.paths[int(rng.integers(len(self.paths)))]
        (patch,) = random_crop_flip([load_rgb(path)], self.crop, rng)
        return Sample(to_tensor(patch))


class PairedFolder:
    """Real pairs in the LOL layout: ``root/low/NAME`` and ``root/high/NAME``.

    ``split``: ``train`` or ``validation`` keeps that part of the name-hash split at ``fraction``
    (by default the real pairs' held-out fraction); ``all`` keeps every pair.
    """

    def __init__(
        self, root: Path, crop: int, split: Split = "all", fraction: float = REAL_HELD_OUT_FRACTION
    ) -> None:
        self.lows = select_split(list_images(root / "low"), split, fraction)
        if not self.lows:
            raise ValueError(f"no pairs of {root} in the {split} split")
        self.highs = [root / "high" / p.name for p in self.lows]
        missing = [p for p in self.highs if not p.is_file()]
        if missing:
            raise ValueError(f"{len(missing)} images of {root / 'low'} have no match in high/, e.g. {missing[0]}")
        self.crop = crop

    def __len__(self) -> int:
        return len(self.lows)

    def pair(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Whole pair ``index``: ``(low, high)``, each ``(3, H, W)``."""
        return to_tensor(load_rgb(self.lows[index])), to_tensor(load_rgb(self.highs[index]))

    def sample(self, rng: np.random.Generator) -> Sample:
        i = int(rng.integers(len(self.lows)))
        low, high = random_crop_flip([load_rgb(self.lows[i]), load_rgb(self.highs[i])], self.crop, rng)
        return Sample(to_tensor(low), to_tensor(high))


class SyntheticPairs:
    """Pairs made on the fly: a crop of a well-exposed image and its synthetic dark version."""

    def __init__(self, paths: Sequence[Path], crop: int, degradation: DegradationConfig) -> None:
        if not paths:
            raise ValueError("no well-exposed images for the synthetic pair source")
        self.paths, self.crop, self.degradation = list(paths), crop, degradation

    def sample(self, rng: np.random.Generator) -> Sample:
        path = self.paths[int(rng.integers(len(self.paths)))]
        (patch,) = random_crop_flip([load_rgb(path)], self.crop, rng)
        clean = to_tensor(patch)
        generator = torch.Generator().manual_seed(int(rng.integers(2**62)))
        return Sample(degrade(clean, self.degradation, generator), clean)


class MixedSource:
    """Draws each sample from one of ``sources``, picked with probabilities ``weights``."""

    def __init__(self, sources: Sequence[Source], weights: Sequence[float]) -> None:
        if len(sources) != len(weights) or not sources or min(weights) < 0 or sum(weights) <= 0:
            raise ValueError(f"need one non-negative weight per source, got {list(weights)}")
        total = float(sum(weights))
        self.sources, self.probabilities = list(sources), [w / total for w in weights]

    def sample(self, rng: np.random.Generator) -> Sample:
        index = int(rng.choice(len(self.sources), p=self.probabilities))
        return self.sources[index].sample(rng)


class VideoFrames:
    """Random crops of frames decoded from video files (``frames_per_video`` evenly spaced frames
    of each file are decoded once, at construction)."""

    def __init__(self, paths: Sequence[Path], crop: int, frames_per_video: int = 16) -> None:
        self.frames = [f for p in paths for f in decode_frames(p, frames_per_video)]
        if not self.frames:
            raise ValueError("no frames decoded from the video files")
        self.crop = crop

    def sample(self, rng: np.random.Generator) -> Sample:
        frame = self.frames[int(rng.integers(len(self.frames)))]
        (patch,) = random_crop_flip([frame], self.crop, rng)
        return Sample(to_tensor(patch))


def decode_frames(path: Path, count: int) -> list[np.ndarray]:
    """Up to ``count`` evenly spaced frames of the first video stream, ``(H, W, 3)`` uint8 RGB."""
    import av

    with av.open(str(path)) as container:
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    if len(frames) <= count:
        return frames
    picks = np.linspace(0, len(frames) - 1, count).round().astype(int)
    return [frames[i] for i in picks]


def collate(samples: Sequence[Sample]) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Stack samples of one size into ``(B, 3, H, W)`` inputs and targets (None if unpaired)."""
    inputs = torch.stack([s.input for s in samples])
    if any(s.target is None for s in samples):
        return inputs, None
    return inputs, torch.stack([s.target for s in samples])  # type: ignore[misc]


def synthetic_validation_set(
    paths: Sequence[Path], degradation: DegradationConfig, seed: int = 0, size: int | None = None
) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """The fixed synthetic validation pairs ``(low, high)`` ``(3, H, W)``: each image is degraded
    with a generator seeded by ``(seed, file name)``, so the set depends only on the files and the
    recipe. ``size``: centre crop to ``size x size`` (None: whole images)."""
    pairs = []
    for path in paths:
        rgb = load_rgb(path)
        if size is not None:
            h, w = rgb.shape[:2]
            top, left = max(0, (h - size) // 2), max(0, (w - size) // 2)
            rgb = rgb[top : top + size, left : left + size]
        clean = to_tensor(rgb)
        generator = torch.Generator().manual_seed(seed_from(seed, path.name))
        pairs.append((degrade(clean, degradation, generator), clean))
    return pairs
