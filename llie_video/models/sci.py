"""The SCI family: Retinex illumination networks trained with weight-shared stages.

- SCI: L. Ma, T. Ma, R. Liu, X. Fan, Z. Luo, "Toward Fast, Flexible, and Robust Low-Light Image
  Enhancement", CVPR 2022 (MIT licence). A 3-channel illumination network
  ``illumination = clamp(sigmoid(f(x)) + x, 1e-4, 1)``, rendered as ``x / illumination``. Trained with
  several weight-shared stages and a self-calibrated module that feeds ``x + K(x / L)`` to the next
  stage; only one stage runs at inference.
- Aux-Retinex: Y. Jin, X. Chen, X. Liang, "A lightweight low-light image enhancement network",
  ICAROB 2023. The same stage scheme, with shallow Inception-style features (four dilated 3x3
  branches, concatenated) in front of a three-layer illumination-residual model ``L <- L + H(L)``,
  and an auxiliary block ``R = S / L, V = S + K(R)`` that is used only in training.

Both render with :func:`llie_video.ops.divide_by_illumination`.
"""

from __future__ import annotations

import torch
from torch import nn

from llie_video.models._registry import ModelFigures, register_model
from llie_video.models.base import EnhancementModel
from llie_video.ops.render_spec import RenderKind, RenderSpec
from llie_video.ops.retinex import ILLUMINATION_FLOOR, divide_by_illumination


def _conv_bn_relu(in_channels: int, out_channels: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, 3, padding=1),
        nn.BatchNorm2d(out_channels),
        nn.ReLU(inplace=True),
    )


class RetinexModel(EnhancementModel):
    """Base of the family: ``estimate`` returns the illumination, ``render`` divides by it."""

    param_channels = 3

    def residual(self, x: torch.Tensor) -> torch.Tensor:
        """Illumination residual ``(B, 3, h, w)`` in [0, 1] from ``x`` ``(B, 3, h, w)``."""
        raise NotImplementedError

    def estimate(self, x_low: torch.Tensor) -> torch.Tensor:
        """Illumination ``(B, 3, h, w)`` in [1e-4, 1]: ``clamp(x + residual(x), 1e-4, 1)``."""
        return torch.clamp(x_low + self.residual(x_low), ILLUMINATION_FLOOR, 1.0)

    def render(self, x: torch.Tensor, params: torch.Tensor) -> torch.Tensor:
        """Reflectance ``clamp(x / illumination, 0, 1)``, ``(B, 3, H, W)``."""
        return divide_by_illumination(x, params)

    def render_(self, x: torch.Tensor, params: torch.Tensor) -> torch.Tensor:
        """In-place :meth:`render` (overwrites ``x`` and ``params``)."""
        return x.div_(params.clamp_(ILLUMINATION_FLOOR, 1.0)).clamp_(0.0, 1.0)

    def render_spec(self) -> RenderSpec:
        return RenderSpec(kind=RenderKind.RETINEX, floor=ILLUMINATION_FLOOR)


class SCI(RetinexModel):
    """SCI's illumination network (``EnhanceNetwork`` in the authors' code).

    Args:
        channels: hidden width (3 in the published models).
        layers: residual conv-BN-ReLU blocks; the authors share one block across them.
    """

    estimation_long_side = 480

    def __init__(self, channels: int = 3, layers: int = 1) -> None:
        super().__init__()
        self.channels, self.layers = channels, layers
        self.in_conv = nn.Sequential(nn.Conv2d(3, channels, 3, padding=1), nn.ReLU(inplace=True))
        self.block = _conv_bn_relu(channels, channels)
        self.out_conv = nn.Sequential(nn.Conv2d(channels, 3, 3, padding=1), nn.Sigmoid())

    def residual(self, x: torch.Tensor) -> torch.Tensor:
        features = self.in_conv(x)
        for _ in range(self.layers):
            features = features + self.block(features)
        return self.out_conv(features)

    def architecture_kwargs(self) -> dict[str, object]:
        return {"channels": self.channels, "layers": self.layers}

    @classmethod
    def is_original_state_dict(cls, state: dict[str, torch.Tensor]) -> bool:
        return any(k.startswith("enhance.in_conv.") for k in state)

    @classmethod
    def remap_original_state_dict(cls, state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        """Keep the ``enhance.*`` keys and rename them.

        The authors' file also holds ``calibrate.*`` (the self-calibrated module, training only) and
        stores the shared block twice (``enhance.conv.*`` and ``enhance.blocks.N.*``); the copies
        are checked to be identical, then one is kept.
        """
        renamed: dict[str, torch.Tensor] = {}
        for key, value in state.items():
            if key.startswith("calibrate."):
                continue
            if not key.startswith("enhance."):
                raise ValueError(f"unexpected key in the original SCI checkpoint: {key}")
            name = key[len("enhance.") :]
            if name.startswith("blocks."):
                _, _, rest = name.split(".", 2)
                if not torch.equal(value, state[f"enhance.conv.{rest}"]):
                    raise ValueError(f"shared block copy {key} differs from enhance.conv.{rest}")
                continue
            if name.startswith("conv."):
                name = "block." + name[len("conv.") :]
            renamed[name] = value
        return renamed


class InceptionFeatures(nn.Module):
    """Shallow features: four 3x3 branches with dilations 1-4, concatenated (no pooling).

    ``(B, 3, H, W) -> (B, 4 * branch_channels, H, W)``.
    """

    DILATIONS = (1, 2, 3, 4)

    def __init__(self, branch_channels: int) -> None:
        super().__init__()
        self.branches = nn.ModuleList(
            nn.Conv2d(3, branch_channels, 3, padding=d, dilation=d) for d in self.DILATIONS
        )
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.relu(torch.cat([branch(x) for branch in self.branches], 1))


class AuxRetinex(RetinexModel):
    """The auxiliary-block network's inference stage: features, then ``H`` (three convolutions).

    Args:
        branch_channels: channels of each dilated branch (features are 4x this).
        hidden: width of ``H``'s hidden layer.
    """

    estimation_long_side = 480

    def __init__(self, branch_channels: int = 3, hidden: int = 6) -> None:
        super().__init__()
        self.branch_channels, self.hidden = branch_channels, hidden
        self.features = InceptionFeatures(branch_channels)
        self.illumination_residual = nn.Sequential(
            nn.Conv2d(4 * branch_channels, hidden, 3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(hidden, hidden, 3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(hidden, 3, 3, padding=1),
            nn.Sigmoid(),
        )

    def residual(self, x: torch.Tensor) -> torch.Tensor:
        return self.illumination_residual(self.features(x))

    def architecture_kwargs(self) -> dict[str, object]:
        return {"branch_channels": self.branch_channels, "hidden": self.hidden}


class CalibrationBlock(nn.Module):
    """The self-calibrating auxiliary block ``K`` (training only): ``V = S + K(S / L)``.

    SCI's ``CalibrateNetwork``: conv-BN-ReLU in, ``blocks`` residual pairs, sigmoid out; it returns
    ``R - sigmoid(...)`` so the next stage's input is ``S + K(R)``.
    ``(B, 3, H, W) -> (B, 3, H, W)``.
    """

    def __init__(self, channels: int = 16, blocks: int = 3) -> None:
        super().__init__()
        self.in_conv = _conv_bn_relu(3, channels)
        self.blocks = nn.ModuleList(
            nn.Sequential(_conv_bn_relu(channels, channels), _conv_bn_relu(channels, channels))
            for _ in range(blocks)
        )
        self.out_conv = nn.Sequential(nn.Conv2d(channels, 3, 3, padding=1), nn.Sigmoid())

    def forward(self, reflectance: torch.Tensor) -> torch.Tensor:
        features = self.in_conv(reflectance)
        for block in self.blocks:
            features = features + block(features)
        return reflectance - self.out_conv(features)


def run_stages(
    model: RetinexModel, calibration: CalibrationBlock, x: torch.Tensor, stages: int
) -> tuple[list[torch.Tensor], list[torch.Tensor], list[torch.Tensor]]:
    """The weight-shared training stages.

    Stage ``t`` estimates ``L_t`` from its input ``S_t`` (``S_0 = x``), renders ``R_t = x / L_t``
    and feeds ``S_{t+1} = x + K(R_t)`` to the next stage.

    Returns:
        ``(inputs, illuminations, reflectances)``, each a list of ``stages`` ``(B, 3, H, W)`` tensors.
    """
    inputs, illuminations, reflectances = [], [], []
    stage_input = x
    for _ in range(stages):
        illumination = model.estimate(stage_input)
        reflectance = model.render(x, illumination)
        inputs.append(stage_input)
        illuminations.append(illumination)
        reflectances.append(reflectance)
        stage_input = x + calibration(reflectance)
    return inputs, illuminations, reflectances


@register_model("sci", ModelFigures(parameters=258, estimation_long_side=480))
def sci(channels: int = 3, layers: int = 1) -> SCI:
    """SCI (258 parameters in the published configuration)."""
    return SCI(channels=channels, layers=layers)


@register_model("aux_retinex", ModelFigures(parameters=1_485, estimation_long_side=480))
def aux_retinex(branch_channels: int = 3, hidden: int = 6) -> AuxRetinex:
    """The auxiliary-block Retinex network, one stage (about 1.5K parameters)."""
    return AuxRetinex(branch_channels=branch_channels, hidden=hidden)
