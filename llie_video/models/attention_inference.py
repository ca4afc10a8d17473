"""IAT-lite's estimate rewritten for inference runtimes: the same function in fewer, larger ops.

:class:`IATInferenceGraph` computes
:meth:`IATLite.estimate <llie_video.models.attention.IATLite.estimate>` (and IATColour's) to float
rounding, from the model's parameters as they are when it is built:

- each channel norm's affine part is folded into the 1x1 convolution that follows it, and the
  norm itself is two 1x1 convolutions (centring, variance), no layout permutes or reductions
  over the channel axis;
- the channel attention takes its ``q . k`` products and the L2 norms of ``q`` and ``k`` from one
  ``(2C x N) @ (N x 2C)`` product instead of normalising the maps, and applies the per-head
  attention and the output projection to ``v`` as one ``C x C`` matrix;
- the curve and colour heads are one convolution, the global scale and shift a per-channel
  affine of its output, then one ``tanh``.

The model's own modules run the rest (stem, depthwise convolutions, global branch, attention
weights with ADR), so nothing else is restated. Built for export (ONNX) and tracing; training
and CUDA keep the model's own ``estimate``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from llie_video.techniques.adr import attention_weights

_NORMALIZE_EPS = 1e-12  # F.normalize's floor on the norms


def fold_norm(norm: nn.Module, conv: nn.Conv2d) -> tuple[torch.Tensor, torch.Tensor]:
    """(``norm``: an IAT ``ChannelNorm``; the model's classes are not imported here, which
    :mod:`llie_video.models.attention` imports lazily.) The 1x1 ``conv``'s weight ``(Co, C, 1, 1)`` and bias ``(Co,)`` with ``norm``'s affine
    part ``x * g + b`` folded in: ``conv(norm(x)) == conv'(PlainNorm(x))``."""
    gain, offset = norm.norm.weight.detach(), norm.norm.bias.detach()
    weight = conv.weight.detach()
    bias = conv.bias.detach() + weight[:, :, 0, 0] @ offset
    return (weight * gain[None, :, None, None]).clone(), bias.clone()


class PlainNorm(nn.Module):
    """Layer normalisation over the channels of ``x`` ``(B, C, H, W)``, no affine part, as
    1x1 convolutions: the centring ``I - 1/C`` and the variance (``1/C`` everywhere, bias
    ``eps``), which runtimes keep in their blocked convolution layout, where a reduction over
    the channel axis of a planar tensor is slow (ONNX Runtime: ~3x slower here)."""

    def __init__(self, channels: int, eps: float, dtype: torch.dtype = torch.float32) -> None:
        super().__init__()
        mean = torch.full((channels, channels, 1, 1), 1.0 / channels, dtype=dtype)
        self.register_buffer("mean", mean)
        eye = torch.eye(channels, dtype=dtype)[:, :, None, None]
        self.register_buffer("centring", eye - mean)
        self.register_buffer("eps", torch.full((channels,), eps, dtype=dtype))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        centred = F.conv2d(x, self.centring)
        return centred / F.conv2d(centred * centred, self.mean, self.eps).sqrt()


def _conv_then_depthwise(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor,
                         depthwise: nn.Conv2d, start: int, stop: int) -> torch.Tensor:
    """Output channels ``start:stop`` of ``depthwise(conv1x1(x; weight, bias))``, computed
    alone (a runtime then splits no large map: each part is its own pair of convolutions)."""
    pointwise = F.conv2d(x, weight[start:stop], bias[start:stop])
    return F.conv2d(pointwise, depthwise.weight[start:stop], depthwise.bias[start:stop],
                    padding=1, groups=stop - start)


class _InferenceBlock(nn.Module):
    """One local block: ``x + attention(norm1(x))``, then ``+ mixer(norm2(x))``, folded.
    ``(B, C, H, W) -> (B, C, H, W)``."""

    def __init__(self, norm1: nn.Module, attention: nn.Module, norm2: nn.Module,
                 mixer: nn.Module) -> None:
        super().__init__()
        if mixer.pog is not None:
            raise ValueError("POG's dynamic convolution has no inference graph")
        channels = attention.proj.out_channels
        dtype = attention.proj.weight.dtype
        self.register_buffer("eye", torch.eye(2 * channels, dtype=dtype))  # the Gram's diagonal
        self.norm1 = PlainNorm(channels, norm1.norm.eps, dtype)
        self.norm2 = PlainNorm(channels, norm2.norm.eps, dtype)
        self.heads = attention.heads
        self.qkv_weight, self.qkv_bias = (nn.Parameter(t, requires_grad=False)
                                          for t in fold_norm(norm1, attention.qkv))
        self.attention = attention  # qkv_dw, temperature, reallocation, proj
        self.expand_weight, self.expand_bias = (nn.Parameter(t, requires_grad=False)
                                                for t in fold_norm(norm2, mixer.expand))
        self.mixer = mixer  # dw, proj

    def attention_maps(self, normed: torch.Tensor, start: int, stop: int) -> torch.Tensor:
        """Channels ``start:stop`` of the attention's ``qkv`` maps of the normalised input."""
        return _conv_then_depthwise(normed, self.qkv_weight, self.qkv_bias,
                                    self.attention.qkv_dw, start, stop)

    def attend(self, x: torch.Tensor) -> torch.Tensor:
        """The attention branch of ``x`` ``(B, C, H, W)``, projection included."""
        b, c, h, w = x.shape
        heads, d = self.heads, c // self.heads
        normed = self.norm1(x)
        qk = self.attention_maps(normed, 0, 2 * c).flatten(2)  # (B, 2C, N)
        v = self.attention_maps(normed, 2 * c, 3 * c).flatten(2)  # (B, C, N)
        gram = qk @ qk.transpose(1, 2)  # (B, 2C, 2C)
        norms = (gram * self.eye).sum(dim=2).sqrt().clamp_min(_NORMALIZE_EPS)  # (B, 2C)
        cosines = gram[:, :c, c:] / (norms[:, :c, None] * norms[:, None, c:])  # (B, C, C)
        logits = torch.stack([cosines[:, i * d:(i + 1) * d, i * d:(i + 1) * d]
                              for i in range(heads)], dim=1)  # (B, heads, d, d)
        attention = attention_weights(logits * self.attention.temperature,
                                      self.attention.reallocation)
        proj = self.attention.proj
        mix = torch.einsum("ohd,bhde->bohe", proj.weight[:, :, 0, 0].reshape(c, heads, d),
                           attention).reshape(b, c, c)  # the projection after the attention
        return (mix @ v).reshape(b, c, h, w) + proj.bias[None, :, None, None]

    def mix(self, x: torch.Tensor) -> torch.Tensor:
        """The gated mixer branch of ``x`` ``(B, C, H, W)``."""
        normed, c = self.norm2(x), x.shape[1]
        a = _conv_then_depthwise(normed, self.expand_weight, self.expand_bias, self.mixer.dw, 0, c)
        gate = _conv_then_depthwise(normed, self.expand_weight, self.expand_bias, self.mixer.dw,
                                    c, 2 * c)
        return self.mixer.proj(F.gelu(a) * gate)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attend(x)
        return x + self.mix(x)


class IATInferenceGraph(nn.Module):
    """``image (B, 3, h, w)`` -> the model's parameter maps ``(B, P, h, w)`` (``P`` = 3 curve
    maps, then IATColour's 12 colour-transform maps), folded as the module docstring says.

    Args:
        model: an :class:`~llie_video.models.attention.IATLite` (or subclass) without POG or an
            LFPV bank; ``heads``: the extra heads' convolutions after the curve head (IATColour's
            colour head), whose maps are ``tanh`` of their output.
    """

    def __init__(self, model: nn.Module, heads: tuple[nn.Conv2d, ...] = ()) -> None:
        super().__init__()
        self.model = model.eval()
        self.blocks = nn.ModuleList(
            _InferenceBlock(block.norm1, block.attention, block.norm2, block.mixer)
            for block in model.trunk)
        convs = (model.curve_head, *heads)
        weight = torch.cat([conv.weight.detach() for conv in convs])
        bias = torch.cat([conv.bias.detach() for conv in convs])
        self.head_weight = nn.Parameter(weight, requires_grad=False)
        self.head_bias = nn.Parameter(bias, requires_grad=False)
        self.extra = weight.shape[0] - model.curve_head.out_channels

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        stem = self.model.stem(image)
        features = stem
        for block in self.blocks:
            features = block(features)
        scale, shift = self.model.global_branch(stem).chunk(2, dim=1)  # (B, 3) each
        b = image.shape[0]
        scale = torch.cat([1.0 + scale, scale.new_ones(b, self.extra)], dim=1)
        shift = torch.cat([shift, shift.new_zeros(b, self.extra)], dim=1)
        maps = F.conv2d(features, self.head_weight, self.head_bias, padding=1)
        return torch.tanh(maps * scale[:, :, None, None] + shift[:, :, None, None])
