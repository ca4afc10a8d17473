"""Attach LFPVs to a model's layer, and the training objective's share of them.

:func:`attach_lfpv` fuses an :class:`~llie_video.techniques.lfpv.LfpvBank` into the output of any
named layer through a forward hook (the model's code is untouched); :class:`LfpvLoss` holds the
training-only updaters and adds the paper's ``L(I_hat, I)`` term (the model with the bank
bypassed) to the objective.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
from torch import nn

from llie_video.errors import UserError
from llie_video.techniques.config import LfpvConfig
from llie_video.techniques.lfpv import LfpvBank, LfpvUpdaters

if TYPE_CHECKING:
    from llie_video.models.base import EnhancementModel

BANK_NAME = "lfpv"


def feature_channels(model: EnhancementModel, layer: nn.Module) -> int:
    """Channels of ``layer``'s output, found by one estimate on a small frame."""
    shapes: list[torch.Size] = []
    handle = layer.register_forward_hook(lambda _m, _i, out: shapes.append(out.shape))
    try:
        with torch.no_grad():
            model.estimate(torch.full((1, 3, 32, 32), 0.2))
    finally:
        handle.remove()
    if not shapes or len(shapes[0]) != 4:
        raise UserError("the LFPV layer must output (B, c, h, w) features during estimate")
    return int(shapes[0][1])


def attach_lfpv(
    model: EnhancementModel, config: LfpvConfig, channels: int | None = None
) -> LfpvBank:
    """Add a bank as ``model.lfpv`` and fuse it into the output of ``config.layer`` (default:
    the model's ``lfpv_layer`` attribute). ``channels``: of that output (None: found by a dry
    run). Returns the bank."""
    name = config.layer or getattr(model, "lfpv_layer", None)
    if not name:
        raise UserError(f"{type(model).__name__} names no LFPV layer; set techniques.lfpv.layer")
    try:
        layer = model.get_submodule(name)
    except AttributeError:
        raise UserError(f"{type(model).__name__} has no layer {name!r} for LFPV") from None
    channels = feature_channels(model, layer) if channels is None else channels
    bank = LfpvBank(channels, config.entries, config.patch)
    model.add_module(BANK_NAME, bank)
    layer.register_forward_hook(lambda _m, _i, out: bank(out))
    return bank


def find_bank(model: nn.Module) -> LfpvBank | None:
    """The bank attached to ``model``, if any."""
    bank = getattr(model, BANK_NAME, None)
    return bank if isinstance(bank, LfpvBank) else None


class LfpvLoss(nn.Module):
    """Auxiliary objective term ``plain_weight * L(I_hat, I)``: the supervised loss of the model
    with the bank bypassed. Holds the updaters (training only) and installs them in the bank.

    ``forward(objective, model, inputs, targets, long_side) -> scalar``.
    """

    def __init__(self, bank: LfpvBank, config: LfpvConfig) -> None:
        super().__init__()
        self.plain_weight = config.plain_weight
        self.updaters = LfpvUpdaters(bank.channels, config)
        bank.set_updaters(self.updaters)
        self._bank = [bank]

    def forward(
        self,
        objective: nn.Module,
        model: EnhancementModel,
        inputs: torch.Tensor,
        targets: torch.Tensor | None,
        long_side: int | None,
    ) -> torch.Tensor:
        if targets is None:
            raise ValueError("LFPV training needs paired data (its loss compares with the target)")
        with self._bank[0].bypassed():
            plain, _, _ = model.forward_with_params(inputs, long_side)
        loss, _ = objective.supervised_loss(plain, targets)
        return self.plain_weight * loss
