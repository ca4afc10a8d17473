"""Build the training source a :class:`DataConfig` describes."""

from __future__ import annotations

from pathlib import Path

from llie_video.data.datasets import (
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
        return PairedFolder(root, config.crop)
    if config.kind == "video":
        videos = sorted(p for p in root.iterdir() if p.suffix.lower() in VIDEO_SUFFIXES)
        return VideoFrames(videos, config.crop, config.frames_per_video)
    images = select_split(list_images(root), config.split)
    if config.kind == "unpaired":
        return UnpairedImages(images, config.crop)
    low, high = config.luma_range
    return SyntheticPairs(select_well_exposed(images, (low, high)), config.crop, config.degradation)
