"""IAT-lite: a small illumination-adaptive transformer for the estimate/render split.

In the style of Cui et al., "You Only Need 90K Parameters to Adapt Light: a Light Weight
Transformer for Image Enhancement and Exposure Correction" (BMVC 2022): a *local branch* of
attention blocks predicts a per-pixel map, a *global branch* of learned queries cross-attending to
downsampled tokens predicts a per-image adjustment. Here the output is a light-enhancement curve
map ``(B, 3, h, w)`` in [-1, 1], rendered exactly as Zero-DCE++ renders (8 curve steps, so the
video stage's fused YUV kernel applies): the local branch gives per-pixel curve logits ``z``, the
global branch a per-image, per-channel scale ``s`` and shift ``t`` (IAT's global colour/exposure
adjustment, folded into the curves), and ``alpha = tanh(z * (1 + s) + t)``. A 3x3 colour matrix
as in IAT would need 9 more full-resolution parameter channels at render time, which costs more
than the whole render budget at 720p.

Local block (``h`` heads, channels ``C``)::

    x = x + proj(channel_attention(norm(x)))      # transposed (channel) attention, ADR optional
    g = gelu(a) * b,  (a, b) = split(dw3x3(pw(norm(x))))
    g = g + POG(norm(x))                           # optional: parameter orthogonal generation
    x = x + proj(g)

Options ``pog`` and ``adr`` switch the two techniques of :mod:`llie_video.techniques`; the LFPV
plug-in attaches to ``trunk`` (``lfpv_layer``).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from llie_video.models._registry import ModelFigures, register_model
from llie_video.models.base import EnhancementModel
from llie_video.ops.colour_transform import COLOUR_TRANSFORM_CHANNELS, apply_colour_transform
from llie_video.ops.curves import apply_curves, apply_curves_
from llie_video.ops.layout import dense_like
from llie_video.ops.render_spec import RenderKind, RenderSpec
from llie_video.techniques.adr import AttentionReallocation, attention_weights
from llie_video.techniques.config import LfpvConfig
from llie_video.techniques.plugin import attach_lfpv, find_bank
from llie_video.techniques.pog import ParameterOrthogonalConv

ITERATIONS = 8
GLOBAL_OUTPUTS = 6  # per-channel scale and shift of the curve logits


class ChannelNorm(nn.Module):
    """Layer normalisation over the channels of each pixel, ``(B, C, H, W) -> (B, C, H, W)``."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.norm(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)


def reallocation(heads: int, adr: bool, sharpness: float) -> AttentionReallocation | None:
    """An ADR module for ``heads`` heads, or None (plain softmax attention)."""
    return AttentionReallocation(heads, sharpness) if adr else None


class ChannelAttention(nn.Module):
    """Transposed multi-head attention over channels (Restormer's MDTA): per head, a
    ``(C/h) x (C/h)`` map from L2-normalised queries and keys over pixels, a learned temperature.
    ``(B, C, H, W) -> (B, C, H, W)``."""

    def __init__(self, channels: int, heads: int, adr: bool, sharpness: float) -> None:
        super().__init__()
        self.heads = heads
        self.qkv = nn.Conv2d(channels, 3 * channels, 1)
        self.qkv_dw = nn.Conv2d(3 * channels, 3 * channels, 3, padding=1, groups=3 * channels)
        self.temperature = nn.Parameter(torch.ones(heads, 1, 1))
        self.reallocation = reallocation(heads, adr, sharpness)
        self.proj = nn.Conv2d(channels, channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, c, h, w = x.shape
        q, k, v = self.qkv_dw(self.qkv(x)).chunk(3, dim=1)
        q, k, v = (t.reshape(b, self.heads, c // self.heads, h * w) for t in (q, k, v))
        q, k = F.normalize(q, dim=-1), F.normalize(k, dim=-1)
        attention = attention_weights(q @ k.transpose(-2, -1) * self.temperature, self.reallocation)
        return self.proj((attention @ v).reshape(b, c, h, w))


class GatedMixer(nn.Module):
    """Gated depthwise feed-forward; POG's dynamic 1x1 convolution of the input is added to the
    gated features. ``(B, C, H, W) -> (B, C, H, W)``."""

    def __init__(self, channels: int, pog: bool, pog_dim: int) -> None:
        super().__init__()
        self.expand = nn.Conv2d(channels, 2 * channels, 1)
        self.dw = nn.Conv2d(2 * channels, 2 * channels, 3, padding=1, groups=2 * channels)
        self.pog = ParameterOrthogonalConv(channels, channels, pog_dim) if pog else None
        self.proj = nn.Conv2d(channels, channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        a, b = self.dw(self.expand(x)).chunk(2, dim=1)
        # GELU on the channel slice of a channels-last map: dense first (10x faster)
        gated = F.gelu(dense_like(a, x)) * b
        if self.pog is not None:
            gated = gated + self.pog(x)
        return self.proj(gated)


class LocalBlock(nn.Module):
    """Channel attention then gated mixer, each pre-normalised and residual."""

    def __init__(
        self, channels: int, heads: int, pog: bool, pog_dim: int, adr: bool, sharpness: float
    ) -> None:
        super().__init__()
        self.norm1, self.norm2 = ChannelNorm(channels), ChannelNorm(channels)
        self.attention = ChannelAttention(channels, heads, adr, sharpness)
        self.mixer = GatedMixer(channels, pog, pog_dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attention(self.norm1(x))
        return x + self.mixer(self.norm2(x))


class GlobalQueries(nn.Module):
    """Learned queries cross-attend to tokens of the 4x-downsampled features; their outputs give
    a per-image, per-channel scale and shift of the curve logits. ``(B, C, h, w) -> (B, 6)``."""

    def __init__(
        self, channels: int, heads: int, queries: int, adr: bool, sharpness: float
    ) -> None:
        super().__init__()
        self.heads = heads
        self.down = nn.Sequential(
            nn.Conv2d(channels, channels, 3, stride=2, padding=1), nn.GELU(),
            nn.Conv2d(channels, channels, 3, stride=2, padding=1),
        )
        self.queries = nn.Parameter(0.1 * torch.randn(queries, channels))
        self.kv = nn.Linear(channels, 2 * channels)
        self.reallocation = reallocation(heads, adr, sharpness)
        self.head = nn.Linear(queries * channels, GLOBAL_OUTPUTS)
        nn.init.zeros_(self.head.weight)
        nn.init.zeros_(self.head.bias)

    def split_heads(self, t: torch.Tensor) -> torch.Tensor:
        """``(B, N, C) -> (B, heads, N, C / heads)``."""
        return t.reshape(t.shape[0], t.shape[1], self.heads, -1).transpose(1, 2)

    def forward(self, f: torch.Tensor) -> torch.Tensor:
        b, c = f.shape[:2]
        tokens = self.down(f).flatten(2).transpose(1, 2)  # (B, N, C)
        k, v = self.kv(tokens).chunk(2, dim=-1)
        q = self.split_heads(self.queries[None].expand(b, -1, -1))
        k, v = self.split_heads(k), self.split_heads(v)
        logits = q @ k.transpose(-2, -1) / (c // self.heads) ** 0.5  # (B, heads, Q, N)
        out = (attention_weights(logits, self.reallocation) @ v).transpose(1, 2).reshape(b, -1)
        return self.head(out)


class IATLite(EnhancementModel):
    """Local attention blocks -> curve logits; global queries -> their per-image scale and shift.

    Args:
        channels: feature width ``C`` (divisible by ``heads``).
        blocks: local blocks in the trunk.
        heads: attention heads (local and global).
        queries: global queries.
        pog, pog_dim: parameter orthogonal generation in every gated mixer, embedding dimension.
        adr, adr_sharpness: attention dynamic reallocation on every attention map.
        lfpv_entries, lfpv_patch: build with an LFPV bank on ``trunk`` (0: none). A bank attached
            later by the training plug-in is recorded in :meth:`architecture_kwargs` too, so
            trained checkpoints rebuild with it.
    """

    param_channels = 3
    estimation_long_side = 96
    lfpv_layer = "trunk"

    def __init__(
        self,
        channels: int = 16,
        blocks: int = 2,
        heads: int = 2,
        queries: int = 4,
        pog: bool = False,
        pog_dim: int = 16,
        adr: bool = False,
        adr_sharpness: float = 8.0,
        lfpv_entries: int = 0,
        lfpv_patch: int = 4,
    ) -> None:
        super().__init__()
        if channels % heads:
            raise ValueError(f"channels ({channels}) must be divisible by heads ({heads})")
        self._kwargs: dict[str, object] = dict(
            channels=channels, blocks=blocks, heads=heads, queries=queries, pog=pog,
            pog_dim=pog_dim, adr=adr, adr_sharpness=adr_sharpness,
        )
        self.stem = nn.Conv2d(3, channels, 3, padding=1)
        self.trunk = nn.Sequential(
            *(LocalBlock(channels, heads, pog, pog_dim, adr, adr_sharpness) for _ in range(blocks))
        )
        self.curve_head = nn.Conv2d(channels, 3, 3, padding=1)
        self.global_branch = GlobalQueries(channels, heads, queries, adr, adr_sharpness)
        if lfpv_entries:
            config = LfpvConfig(enabled=True, entries=lfpv_entries, patch=lfpv_patch)
            attach_lfpv(self, config, channels)

    def estimate(self, x_low: torch.Tensor) -> torch.Tensor:
        """``(B, 3, h, w)`` -> curve maps ``(B, 3, h, w)`` in [-1, 1]."""
        return self.curves_and_features(x_low)[0]

    def curves_and_features(self, x_low: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The curve maps ``(B, 3, h, w)`` in [-1, 1] of ``x_low`` ``(B, 3, h, w)``, and the
        local features ``(B, C, h, w)`` they were predicted from."""
        stem = self.stem(x_low)
        features = self.trunk(stem)
        scale, shift = self.global_branch(stem)[:, :, None, None].chunk(2, dim=1)
        return torch.tanh(self.curve_head(features) * (1.0 + scale) + shift), features

    def inference_graph(self) -> nn.Module | None:
        """:class:`~llie_video.models.attention_inference.IATInferenceGraph` of this model
        (None with POG or an LFPV bank, which it does not fold)."""
        return self._inference_graph(())

    def _inference_graph(self, heads: tuple[nn.Conv2d, ...]) -> nn.Module | None:
        from llie_video.models.attention_inference import IATInferenceGraph

        if self._kwargs["pog"] or find_bank(self) is not None:
            return None
        return IATInferenceGraph(self, heads)

    def render(self, x: torch.Tensor, params: torch.Tensor) -> torch.Tensor:
        """The curves applied to ``x`` ``(B, 3, H, W)``."""
        return apply_curves(x, params, ITERATIONS)

    def render_(self, x: torch.Tensor, params: torch.Tensor) -> torch.Tensor:
        """In-place :meth:`render` (overwrites ``x``)."""
        return apply_curves_(x, params, ITERATIONS)

    def render_spec(self) -> RenderSpec:
        return RenderSpec(kind=RenderKind.CURVES, iterations=ITERATIONS)

    def architecture_kwargs(self) -> dict[str, object]:
        kwargs = dict(self._kwargs)
        bank = find_bank(self)
        if bank is not None:
            kwargs.update(lfpv_entries=bank.vectors.shape[0], lfpv_patch=bank.patch)
        return kwargs


class IATColour(IATLite):
    """IAT-lite with a learned colour render: besides the curve maps, a head on the same local
    features predicts the 12 maps of an affine colour transform (:mod:`llie_video.ops.colour_transform`)
    applied after the curves, so colour moves per region. The head starts at zero (the identity
    transform): IAT-lite's weights load into it unchanged, as a starting point.
    Arguments as :class:`IATLite`."""

    param_channels = 3 + COLOUR_TRANSFORM_CHANNELS

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        channels = self.stem.out_channels
        self.colour_head = nn.Conv2d(channels, COLOUR_TRANSFORM_CHANNELS, 3, padding=1)
        nn.init.zeros_(self.colour_head.weight)
        nn.init.zeros_(self.colour_head.bias)

    def estimate(self, x_low: torch.Tensor) -> torch.Tensor:
        """``(B, 3, h, w)`` -> curve maps then colour-transform maps ``(B, 15, h, w)`` in
        [-1, 1]."""
        curves, features = self.curves_and_features(x_low)
        return torch.cat([curves, torch.tanh(self.colour_head(features))], dim=1)

    def inference_graph(self) -> nn.Module | None:
        """IAT-lite's inference graph with the colour head beside the curve head."""
        return self._inference_graph((self.colour_head,))

    def render(self, x: torch.Tensor, params: torch.Tensor) -> torch.Tensor:
        """The curves, then the colour transform, applied to ``x`` ``(B, 3, H, W)``."""
        return apply_colour_transform(apply_curves(x, params[:, :3], ITERATIONS), params[:, 3:])

    def render_(self, x: torch.Tensor, params: torch.Tensor) -> torch.Tensor:
        """:meth:`render` with the curves in place (overwrites ``x``)."""
        return apply_colour_transform(apply_curves_(x, params[:, :3], ITERATIONS), params[:, 3:])

    def render_spec(self) -> RenderSpec:
        return RenderSpec(kind=RenderKind.CURVES, iterations=ITERATIONS, colour_transform=True)


@register_model("iat_lite", ModelFigures(parameters=12_061, estimation_long_side=96))
def iat_lite(
    channels: int = 16,
    blocks: int = 2,
    heads: int = 2,
    queries: int = 4,
    pog: bool = False,
    pog_dim: int = 16,
    adr: bool = False,
    adr_sharpness: float = 8.0,
    lfpv_entries: int = 0,
    lfpv_patch: int = 4,
) -> IATLite:
    """IAT-lite (12,061 parameters at the defaults; POG, ADR and LFPV entries optional)."""
    return IATLite(
        channels, blocks, heads, queries, pog, pog_dim, adr, adr_sharpness, lfpv_entries, lfpv_patch
    )


@register_model("iat_colour", ModelFigures(parameters=13_801, estimation_long_side=96))
def iat_colour(**kwargs: object) -> IATColour:
    """IAT-lite with the learned colour render (13,801 parameters at the defaults; the arguments
    of :func:`iat_lite`)."""
    return IATColour(**kwargs)  # type: ignore[arg-type]
