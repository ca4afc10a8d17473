"""The Zero-DCE family of curve-estimation networks.

- Zero-DCE: C. Guo et al., "Zero-Reference Deep Curve Estimation for Low-Light Image Enhancement",
  CVPR 2020. Seven 3x3 convolutions (32 channels) with symmetric skip concatenations predict 24
  ``tanh`` maps, one 3-channel curve map per iteration, 8 iterations. Original code and weights:
  non-commercial licence.
- Zero-DCE++: C. Li, C. Guo, C. C. Loy, "Learning to Enhance Low-Light Image via Zero-Reference Deep
  Curve Estimation", TPAMI 2021. Depthwise-separable convolutions, one 3-channel map shared by the 8
  iterations, estimated on a downscaled frame and upsampled. Non-commercial licence.
- Zero-DCE-improved: Tian, Ning, Zeng (course project building on Zero-DCE): 16 channels, a 3x3
  stride-1 overlapping max-pool after the third convolution, a stronger smoothness loss and gamma
  post-processing. Here it predicts one shared 3-channel map, like Zero-DCE++.

All three render with :func:`llie_video.ops.apply_curves`.
"""

from __future__ import annotations

import re

import torch
from torch import nn

from llie_video.models._registry import ModelFigures, register_model
from llie_video.models.base import EnhancementModel
from llie_video.ops.color import adjust_gamma
from llie_video.ops.curves import apply_curves, apply_curves_
from llie_video.ops.render_spec import RenderKind, RenderSpec

ITERATIONS = 8


class DepthwiseSeparableConv(nn.Module):
    """3x3 depthwise then 1x1 pointwise convolution (Zero-DCE++'s ``CSDN_Tem``)."""

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.depth_conv = nn.Conv2d(in_channels, in_channels, 3, padding=1, groups=in_channels)
        self.point_conv = nn.Conv2d(in_channels, out_channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(B, in, H, W) -> (B, out, H, W)``."""
        return self.point_conv(self.depth_conv(x))


def _conv3x3(in_channels: int, out_channels: int) -> nn.Conv2d:
    return nn.Conv2d(in_channels, out_channels, 3, padding=1)


class CurveEstimator(nn.Module):
    """The seven-layer curve estimator shared by the family.

    ``x1..x4`` are plain layers; ``x5 = f(x3 | x4)``, ``x6 = f(x2 | x5)``, ``out = tanh(f(x1 | x6))``.

    Args:
        channels: width of the hidden layers.
        out_channels: 3 (shared map) or 24 (one map per iteration).
        separable: depthwise-separable layers (Zero-DCE++) instead of full 3x3 convolutions.
        pool_after_third: a 3x3 stride-1 max-pool after the third layer (Zero-DCE-improved).
    """

    def __init__(
        self, channels: int, out_channels: int, separable: bool, pool_after_third: bool
    ) -> None:
        super().__init__()
        layer = DepthwiseSeparableConv if separable else _conv3x3
        self.e_conv1 = layer(3, channels)
        self.e_conv2 = layer(channels, channels)
        self.e_conv3 = layer(channels, channels)
        self.e_conv4 = layer(channels, channels)
        self.e_conv5 = layer(2 * channels, channels)
        self.e_conv6 = layer(2 * channels, channels)
        self.e_conv7 = layer(2 * channels, out_channels)
        self.pool = nn.MaxPool2d(3, stride=1, padding=1) if pool_after_third else nn.Identity()
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(B, 3, h, w)`` in [0, 1] -> curve maps ``(B, out_channels, h, w)`` in [-1, 1]."""
        x1 = self.relu(self.e_conv1(x))
        x2 = self.relu(self.e_conv2(x1))
        x3 = self.pool(self.relu(self.e_conv3(x2)))
        x4 = self.relu(self.e_conv4(x3))
        x5 = self.relu(self.e_conv5(torch.cat([x3, x4], 1)))
        x6 = self.relu(self.e_conv6(torch.cat([x2, x5], 1)))
        return torch.tanh(self.e_conv7(torch.cat([x1, x6], 1)))


class CurveModel(EnhancementModel):
    """A curve estimator plus the curve renderer, with an optional output gamma.

    Args:
        channels, separable, pool_after_third: see :class:`CurveEstimator`.
        per_iteration_maps: predict one map per iteration (24 channels) instead of a shared one.
        output_gamma: gamma post-processing applied after the curves (1.0: none).
    """

    def __init__(
        self,
        channels: int = 32,
        separable: bool = False,
        pool_after_third: bool = False,
        per_iteration_maps: bool = False,
        output_gamma: float = 1.0,
    ) -> None:
        super().__init__()
        self.channels = channels
        self.separable = separable
        self.pool_after_third = pool_after_third
        self.per_iteration_maps = per_iteration_maps
        self.output_gamma = float(output_gamma)
        out_channels = 3 * ITERATIONS if per_iteration_maps else 3
        self.param_channels = out_channels  # type: ignore[misc]
        self.estimator = CurveEstimator(channels, out_channels, separable, pool_after_third)

    def estimate(self, x_low: torch.Tensor) -> torch.Tensor:
        """Curve maps ``(B, P, h, w)``, ``P`` = 3 or 24, in [-1, 1]."""
        return self.estimator(x_low)

    def render(self, x: torch.Tensor, params: torch.Tensor) -> torch.Tensor:
        """Apply the curves (and the output gamma) to ``x`` ``(B, 3, H, W)``."""
        return adjust_gamma(apply_curves(x, params, ITERATIONS), self.output_gamma)

    def render_(self, x: torch.Tensor, params: torch.Tensor) -> torch.Tensor:
        """In-place :meth:`render` (overwrites ``x``)."""
        return adjust_gamma(apply_curves_(x, params, ITERATIONS), self.output_gamma)

    def render_spec(self) -> RenderSpec:
        kind = RenderKind.CURVES_PER_STEP if self.param_channels > 3 else RenderKind.CURVES
        return RenderSpec(kind=kind, iterations=ITERATIONS, output_gamma=self.output_gamma)

    def architecture_kwargs(self) -> dict[str, object]:
        return {"channels": self.channels, "output_gamma": self.output_gamma}

    @classmethod
    def is_original_state_dict(cls, state: dict[str, torch.Tensor]) -> bool:
        return any(k.startswith("e_conv1.") for k in state)

    @classmethod
    def remap_original_state_dict(cls, state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        """The authors' keys ``e_convN.*`` live under ``estimator.`` here; nothing else differs."""
        pattern = re.compile(r"^e_conv[1-7]\.")
        unknown = [k for k in state if not pattern.match(k)]
        if unknown:
            raise ValueError(f"unexpected keys in the original checkpoint: {unknown[:5]}")
        return {f"estimator.{k}": v for k, v in state.items()}


class ZeroDCE(CurveModel):
    """Zero-DCE: full 3x3 convolutions, 32 channels, 24 curve maps, full-resolution estimation."""

    estimation_long_side = None


class ZeroDCEPP(CurveModel):
    """Zero-DCE++: depthwise-separable, one shared map, estimated at low resolution.

    96 px: on the synthetic validation set (40 pairs) the default weights score the same at
    96/128/160 px (15.93/15.94/15.96 dB, SSIM 0.440/0.441/0.442), and the depthwise layers slow
    down sharply once their activations outgrow the CPU cache: one estimate takes 3.2 ms at 96x54
    and 8.9 ms at 128x72 (channels-last, one thread, measured side by side)."""

    estimation_long_side = 96


class ZeroDCEImproved(CurveModel):
    """Zero-DCE-improved: 16 channels, overlapping max-pool, gamma post-op, shared map."""

    estimation_long_side = 320


@register_model("zero_dce", ModelFigures(parameters=79_416, estimation_long_side=None))
def zero_dce(channels: int = 32, output_gamma: float = 1.0) -> ZeroDCE:
    """Zero-DCE (79,416 parameters at 32 channels)."""
    return ZeroDCE(channels=channels, per_iteration_maps=True, output_gamma=output_gamma)


@register_model("zero_dce_pp", ModelFigures(parameters=10_561, estimation_long_side=96))
def zero_dce_pp(channels: int = 32, output_gamma: float = 1.0) -> ZeroDCEPP:
    """Zero-DCE++ (10,561 parameters at 32 channels)."""
    return ZeroDCEPP(channels=channels, separable=True, output_gamma=output_gamma)


@register_model("zero_dce_improved", ModelFigures(parameters=17_523, estimation_long_side=320))
def zero_dce_improved(channels: int = 16, output_gamma: float = 1.0) -> ZeroDCEImproved:
    """Zero-DCE-improved (16 channels, max-pool after the third layer, gamma post-op)."""
    return ZeroDCEImproved(channels=channels, pool_after_third=True, output_gamma=output_gamma)
