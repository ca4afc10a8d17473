"""Build the training source a :class:`DataConfig` describes."""

from __future__ import annotations

from pathlib import Path

from llie_video.data.datasets import (
    MixedSource,
    PairedFolder,
    Source,
    SyntheticPairs,
    UnpairedImages,
    VideoFrames,
    list_images,
    select_well_exposed,
)
from llie_video.data.splits import select_split
from llie_video.training.config import DataConfig

VIDEO_SUFFIXES = frozenset({".mp4", ".mkv", ".mov", ".avi", ".webm"})


def build_source(config: DataConfig) -> Source:
    """The source of training samples (relative roots are relative to the working directory)."""
    root = Path(config.root)
    if config.kind == "paired":
        real = PairedFolder(root, config.crop, config.split)
        if config.synthetic_share == 0:
            return real
        synthetic = synthetic_pairs(Path(config.synthetic_root), config)
        return MixedSource([real, synthetic], [1.0 - config.synthetic_share, config.synthetic_share])
    if config.kind == "video":
        videos = sorted(p for p in root.iterdir() if p.suffix.lower() in VIDEO_SUFFIXES)
        return VideoFrames(videos, config.crop, config.frames_per_video)
    if config.kind == "unpaired":
        return UnpairedImages(select_split(list_images(root), config.split), config.crop)
    return synthetic_pairs(root, config)


def synthetic_pairs(root: Path, config: DataConfig) -> SyntheticPairs:
    """Synthetic pairs from the well-exposed images of ``root``'s ``config.split`` part."""
    low, high = config.luma_range
    images = select_split(list_images(root), config.split)
    return SyntheticPairs(select_well_exposed(images, (low, high)), config.crop, config.degradation)
