"""Choosing the compute device and precision."""

from __future__ import annotations

from typing import Literal

import torch

from llie_video.errors import UserError

DeviceChoice = Literal["auto", "cpu", "cuda"]


def select_device(choice: str) -> torch.device:
    """``auto`` picks CUDA when available, else the CPU; ``cuda`` without a GPU is a user error."""
    if choice == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if choice.startswith("cuda"):
        if not torch.cuda.is_available():
            raise UserError("--device cuda was asked for, but no CUDA GPU is available")
        return torch.device(choice)
    if choice == "cpu":
        return torch.device("cpu")
    raise UserError(f"unknown device {choice!r}; use auto, cpu or cuda")


def select_dtype(device: torch.device, half: bool | None) -> torch.dtype:
    """fp16 on CUDA unless ``half`` is False; fp32 on the CPU (fp16 there is slow)."""
    if device.type == "cuda" and half is not False:
        return torch.float16
    return torch.float32
