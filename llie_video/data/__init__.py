"""Training data: synthetic low-light degradation, sources of samples, train/validation splits."""

from llie_video.data.datasets import (
    MixedSource,
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
from llie_video.data.splits import REAL_HELD_OUT_FRACTION, is_validation, select_split

__all__ = [
    "REAL_HELD_OUT_FRACTION",
    "DegradationConfig",
    "MixedSource",
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
