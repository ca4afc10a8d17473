"""The training objective: supervised, zero-reference and SCI stage losses, weighted and summed."""

from __future__ import annotations

import torch
from torch import nn

from llie_video.losses.lit_colour import lit_colour_loss
from llie_video.losses.retinex import edge_aware_smoothness, stage_fidelity
from llie_video.losses.supervised import (
    chroma_loss, colour_angle_loss, l1_loss, lab_colour_loss, ssim_loss,
)
from llie_video.losses.zero_reference import zero_reference_loss
from llie_video.models.base import EnhancementModel
from llie_video.models.sci import CalibrationBlock, RetinexModel, run_stages
from llie_video.training.config import ObjectiveConfig

LossTerms = dict[str, torch.Tensor]


class Objective(nn.Module):
    """Computes the weighted loss of one batch; holds SCI's calibration block when it is used.

    ``forward(model, inputs, targets, long_side) -> (total, terms)``: ``inputs`` and ``targets``
    ``(B, 3, H, W)`` (``targets`` None for unpaired data), ``total`` a scalar tensor and ``terms``
    the unweighted terms by name (detached), for logging.
    """

    def __init__(self, config: ObjectiveConfig) -> None:
        super().__init__()
        self.config = config
        sci = config.sci_terms
        self.calibration = (
            CalibrationBlock(sci.calibration_channels, sci.calibration_blocks) if config.sci > 0 else None
        )
        # Plug-in terms (e.g. LFPV's L(I_hat, I)): called as term(objective, model, inputs,
        # targets, long_side) -> weighted scalar; installed by llie_video.techniques.install.
        self.auxiliary = nn.ModuleDict()

    def forward(
        self,
        model: EnhancementModel,
        inputs: torch.Tensor,
        targets: torch.Tensor | None,
        long_side: int | None,
    ) -> tuple[torch.Tensor, LossTerms]:
        config = self.config
        terms: LossTerms = {}
        total = torch.zeros((), device=inputs.device)
        enhanced, params, _ = model.forward_with_params(inputs, long_side)
        if config.supervised > 0:
            if targets is None:
                raise ValueError("the supervised objective needs paired data (data.kind synthetic or paired)")
            part, supervised_terms = self.supervised_loss(enhanced, targets)
            terms.update(supervised_terms)
            total = total + part
        if config.zero_reference > 0:
            terms["zero_reference"] = zero_reference_loss(
                enhanced, inputs, params, config.zero_reference_terms
            )
            total = total + config.zero_reference * terms["zero_reference"]
        if config.lit_colour > 0:
            terms["lit_colour"] = lit_colour_loss(enhanced, inputs)
            total = total + config.lit_colour * terms["lit_colour"]
        if config.sci > 0:
            terms["sci"] = self.sci_loss(model, inputs)
            total = total + config.sci * terms["sci"]
        for name, term in self.auxiliary.items():
            terms[name] = term(self, model, inputs, targets, long_side)
            total = total + terms[name]
        return total, {k: v.detach() for k, v in terms.items()}

    def supervised_loss(
        self, enhanced: torch.Tensor, targets: torch.Tensor
    ) -> tuple[torch.Tensor, LossTerms]:
        """``supervised * (weighted L1 + SSIM + colour terms)`` of ``enhanced`` against ``targets``
        (both ``(B, 3, H, W)``), and the unweighted terms by name."""
        weights = self.config.supervised_terms
        terms: LossTerms = {}
        part = torch.zeros((), device=enhanced.device)
        for name, weight, fn in (
            ("l1", weights.l1, l1_loss),
            ("ssim", weights.ssim, ssim_loss),
            ("colour", weights.colour, colour_angle_loss),
            ("lab", weights.lab, lab_colour_loss),
            ("chroma", weights.chroma, chroma_loss),
        ):
            if weight > 0:
                terms[name] = fn(enhanced, targets)
                part = part + weight * terms[name]
        return self.config.supervised * part, terms

    def sci_loss(self, model: EnhancementModel, inputs: torch.Tensor) -> torch.Tensor:
        """SCI's loss summed over the weight-shared stages (full-resolution estimation)."""
        if not isinstance(model, RetinexModel) or self.calibration is None:
            raise ValueError("the sci objective needs a Retinex model (sci, aux_retinex)")
        sci = self.config.sci_terms
        stage_inputs, illuminations, _ = run_stages(model, self.calibration, inputs, sci.stages)
        loss = torch.zeros((), device=inputs.device)
        for stage_input, illumination in zip(stage_inputs, illuminations, strict=True):
            loss = loss + sci.fidelity * stage_fidelity(illumination, stage_input)
            loss = loss + sci.smoothness * edge_aware_smoothness(stage_input, illumination)
        return loss
