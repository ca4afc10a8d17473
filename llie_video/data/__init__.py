"""Training data: synthetic low-light degradation, sources of samples, train/validation splits."""

from llie_video.data.datasets import (
    PairedFolder,
    Sample,
    Source,
    SyntheticPairs,
    UnpairedImages,
    VideoFrames,
    collate,
    list_images,
    select_well_exposed,
    synthetic_validation_set,
)
from llie_video.data.degradation import DegradationConfig, degrade
from llie_video.data.splits import is_validation, select_split

__all__ = [
    "DegradationConfig",
    "PairedFolder",
    "Sample",
    "Source",
    "SyntheticPairs",
    "UnpairedImages",
    "VideoFrames",
    "collate",
    "degrade",
    "is_validation",
    "list_images",
    "select_split",
    "select_well_exposed",
    "synthetic_validation_set",
]
