"""Attention dynamic reallocation (ADR).

Li et al., "Rethinking Model Redundancy for Low-light Image Enhancement" (2024) reallocate each
attention map from the original attention, to suppress harmful weights. The paper text available
to this project gives the idea, not a formula; this module implements the following one.

For an attention map ``A = softmax(S)`` ``(B, heads, n, m)`` (rows over ``m`` keys), per image ``b``
and head ``h``::

    s_bh   = [ mean_i max_j (m A_ij),  mean_i H(A_i) / log m ]      (peakedness, normalised entropy)
    tau_bh = softplus(w_h . s_bh + c_h)                             (input-conditioned threshold)
    G_ij   = sigmoid(kappa * (m A_ij - tau_bh))                     (soft keep-gate per weight)
    A_hat  = (A * G) / sum_j (A * G)                                (re-sparsified, renormalised)
    A'     = (1 - alpha_h) A + alpha_h A_hat,   alpha_h = sigmoid(a_h)

Why this form: a weight well below the uniform level ``1/m`` (``m A_ij < tau``) is the kind of
diffuse, low-confidence match the paper calls harmful; the gate removes it and hands its mass to
the confident matches of the same row. The threshold depends on the map itself (how peaked and
how flat it is), so a head that is already sharp is left alone and a flat one is sparsified; the
per-head mix ``alpha_h`` keeps the plain map reachable and its gradient alive. ``A'`` is a convex
combination of two row-stochastic maps, so its rows sum to 1. Without ADR a model uses
``softmax(S)`` unchanged. Learned parameters: 4 per head (``w_h``, ``c_h``, ``a_h``).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn


class AttentionReallocation(nn.Module):
    """``A (B, heads, n, m) -> A' (B, heads, n, m)``, rows summing to 1.

    Args:
        heads: attention heads (each has its own threshold and mix).
        sharpness: ``kappa``, the slope of the keep-gate.
        initial_threshold: ``tau`` at initialisation, in units of the uniform weight ``1/m``.
    """

    def __init__(self, heads: int, sharpness: float = 8.0, initial_threshold: float = 0.5) -> None:
        super().__init__()
        self.sharpness = sharpness
        self.stat_weights = nn.Parameter(torch.zeros(heads, 2))
        bias = math.log(math.expm1(initial_threshold))  # softplus(bias) = initial_threshold
        self.threshold_bias = nn.Parameter(torch.full((heads,), bias))
        self.mix_logit = nn.Parameter(torch.zeros(heads))

    def statistics(self, attention: torch.Tensor) -> torch.Tensor:
        """``(B, heads, 2)``: mean row maximum (times ``m``) and mean normalised row entropy."""
        m = attention.shape[-1]
        peak = attention.amax(-1).mean(-1) * m
        entropy = -(attention * attention.clamp_min(1e-12).log()).sum(-1).mean(-1)
        return torch.stack([peak, entropy / math.log(max(m, 2))], dim=-1)

    def forward(self, attention: torch.Tensor) -> torch.Tensor:
        m = attention.shape[-1]
        stats = self.statistics(attention)  # (B, heads, 2)
        tau = F.softplus((stats * self.stat_weights).sum(-1) + self.threshold_bias)  # (B, heads)
        gate = torch.sigmoid(self.sharpness * (m * attention - tau[..., None, None]))
        kept = attention * gate
        reallocated = kept / kept.sum(-1, keepdim=True)
        alpha = torch.sigmoid(self.mix_logit).view(1, -1, 1, 1)
        return (1.0 - alpha) * attention + alpha * reallocated


def attention_weights(
    logits: torch.Tensor, reallocation: AttentionReallocation | None
) -> torch.Tensor:
    """``softmax(logits)`` over the last axis, then ADR when ``reallocation`` is given.
    ``(B, heads, n, m) -> (B, heads, n, m)``."""
    attention = torch.softmax(logits, dim=-1)
    return attention if reallocation is None else reallocation(attention)
