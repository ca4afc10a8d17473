"""Parameter orthogonal generation (POG): a 1x1 convolution whose weights are generated per image.

Li et al., "Rethinking Model Redundancy for Low-light Image Enhancement" (2024). Each of the
``K = out * in`` weight elements owns a learnable embedding ``u_k`` (dimension ``d``). Its
Householder reflection ``H_k = I - 2 v_k v_k^T`` (``v_k = u_k / |u_k|``) is orthogonal, so its
columns are an orthogonal basis of ``R^d``. The image gives ``d`` coefficients ``c`` (global average
pooling -> 1x1 conv -> GELU -> 1x1 conv -> softmax over ``d``); the combined basis vector
``b_k = H_k c = c - 2 v_k (v_k . c)`` goes through a small MLP shared by the elements to give the
weight ``W_k``. Every tensor keeps its batch axis, so each image of a batch gets its own weights
(the public reference code mixes images of a batch).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class ParameterOrthogonalConv(nn.Module):
    """Dynamic 1x1 convolution ``(B, in, H, W) -> (B, out, H, W)`` with per-image weights.

    Args:
        in_channels, out_channels: channels of the convolution.
        dim: embedding dimension ``d``.
        hidden: hidden width of the coefficient branch and of the weight MLP.
    """

    def __init__(
        self, in_channels: int, out_channels: int, dim: int = 16, hidden: int = 16
    ) -> None:
        super().__init__()
        self.in_channels, self.out_channels, self.dim = in_channels, out_channels, dim
        self.embeddings = nn.Parameter(torch.randn(out_channels * in_channels, dim))
        self.coefficients = nn.Sequential(
            nn.Conv2d(in_channels, hidden, 1), nn.GELU(), nn.Conv2d(hidden, dim, 1)
        )
        self.to_weight = nn.Sequential(nn.Linear(dim, hidden), nn.GELU(), nn.Linear(hidden, 1))
        nn.init.normal_(self.to_weight[-1].weight, std=0.1 / hidden**0.5)
        nn.init.zeros_(self.to_weight[-1].bias)

    def directions(self) -> torch.Tensor:
        """Unit Householder vectors ``v_k``, ``(K, d)``."""
        return F.normalize(self.embeddings, dim=1)

    def basis(self) -> torch.Tensor:
        """The orthogonal bases ``H_k = I - 2 v_k v_k^T``, ``(K, d, d)`` (columns are the basis)."""
        v = self.directions()
        eye = torch.eye(self.dim, device=v.device, dtype=v.dtype)
        return eye - 2.0 * v[:, :, None] * v[:, None, :]

    def image_coefficients(self, x: torch.Tensor) -> torch.Tensor:
        """Coefficients ``c`` ``(B, d)`` (softmax over ``d``) from ``x`` ``(B, in, H, W)``."""
        pooled = x.mean((2, 3), keepdim=True)
        return torch.softmax(self.coefficients(pooled).flatten(1), dim=1)

    def weights(self, x: torch.Tensor) -> torch.Tensor:
        """Per-image weights ``(B, out, in)`` from ``x`` ``(B, in, H, W)``."""
        c = self.image_coefficients(x)  # (B, d)
        v = self.directions()  # (K, d)
        combined = c[:, None, :] - 2.0 * (c @ v.t())[:, :, None] * v[None]  # (B, K, d) = H_k c
        w = self.to_weight(combined).squeeze(-1)  # (B, K)
        return w.view(x.shape[0], self.out_channels, self.in_channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(B, in, H, W) -> (B, out, H, W)``, each image with its own weights."""
        return torch.einsum("boi,bihw->bohw", self.weights(x), x)
