"""Output-gamma fitting recovers a known gamma."""

from __future__ import annotations

import torch

from llie_video.models import create_model
from llie_video.ops.color import adjust_gamma
from llie_video.training.calibrate import fit_output_gamma


def test_fit_output_gamma_recovers_the_gamma_of_the_targets() -> None:
    torch.manual_seed(0)
    model = create_model("zero_dce_improved", channels=4)
    g = torch.Generator().manual_seed(0)
    lows = [torch.rand(3, 24, 24, generator=g) * 0.3 for _ in range(3)]
    with torch.no_grad():
        pairs = [(low, adjust_gamma(model(low[None]).clamp(0, 1), 1.3)[0]) for low in lows]
    assert fit_output_gamma(model, pairs) == 1.3
    assert model.output_gamma == 1.0
