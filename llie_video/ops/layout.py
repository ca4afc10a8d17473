"""Memory layouts of ``(B, C, H, W)`` tensors.

On the CPU the estimators run channels-last (oneDNN's depthwise and 3x3 convolutions are several
times faster on it at estimation sizes). A channel slice of a channels-last tensor is strided, and
elementwise or reduction kernels on strided views fall off their vectorised paths (GELU on half
of a 32-channel 96x54 map: ~0.7 ms strided, ~0.05 ms dense), so slices are made dense first.
"""

from __future__ import annotations

import torch


def is_channels_last(x: torch.Tensor) -> bool:
    """Whether ``x`` ``(B, C, H, W)`` is laid out channels-last (and not also plain contiguous,
    as a tensor with one channel or one pixel is)."""
    return x.is_contiguous(memory_format=torch.channels_last) and not x.is_contiguous()


def dense_like(x: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """``x`` ``(B, C, H, W)`` made dense (a copy only if it is not) in ``like``'s layout:
    channels-last if ``like`` is, contiguous otherwise."""
    layout = torch.channels_last if is_channels_last(like) else torch.contiguous_format
    return x.contiguous(memory_format=layout)
