"""Exponential moving average of a model's weights."""

from __future__ import annotations

import torch
from torch import nn


class WeightAverage:
    """``shadow <- decay * shadow + (1 - decay) * weight`` for floating parameters; buffers (e.g.
    BatchNorm statistics) and integer tensors are copied as they are."""

    def __init__(self, model: nn.Module, decay: float) -> None:
        self.decay = decay
        self.shadow = {k: v.detach().clone() for k, v in model.state_dict().items()}

    @torch.no_grad()
    def update(self, model: nn.Module) -> None:
        params = dict(model.named_parameters())
        for name, value in model.state_dict().items():
            if name in params and value.is_floating_point():
                self.shadow[name].lerp_(value, 1.0 - self.decay)
            else:
                self.shadow[name].copy_(value)

    def state_dict(self) -> dict[str, torch.Tensor]:
        """CPU copies of the averaged tensors (the model's ``state_dict`` keys)."""
        return {k: v.detach().cpu().clone() for k, v in self.shadow.items()}

    def load_state_dict(self, state: dict[str, torch.Tensor]) -> None:
        for name, value in state.items():
            self.shadow[name].copy_(value)
