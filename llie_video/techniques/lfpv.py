"""Learnable feature patches and vectors (LFPVs), a plug-in for any model with a feature trunk.

Xu et al., "Learnable Feature Patches and Vectors for Boosting Low-light Image Enhancement without
External Knowledge". ``l`` vectors ``C_v`` ``(l, c)`` and ``l`` patches ``C_p`` ``(l, c k k)`` are
kept as state. Features ``f`` ``(B, c, h, w)`` of a chosen layer query them by softmax attention:

- vectors, per pixel: ``f_vec = softmax(f C_v^T / sqrt(c)) C_v``;
- patches, per ``k x k`` block (pixel-unshuffle, ``c' = c k k``):
  ``f_patch = shuffle(softmax(f' C_p^T / sqrt(c')) C_p)``;

and the layer's output becomes ``f_vec + f_patch + f``. (The ``1/sqrt`` scaling is ours, for
stable logits.) In training, :class:`LfpvUpdaters` compute, from the batch, the Sample Updater
``Delta C_j = mean_i S(f_i + C_j + e_j)`` and the Mutual Updater ``Wedge C_j = mean_h M(C_j + C_h
+ e_j + e_h)`` (``+``: concatenation, ``e_j``: identity embeddings); the query uses
``C + Delta + Wedge`` and that sum becomes the new state after the step. Means replace the paper's
sums so the update size does not depend on the batch size.

The entries are parameters without gradients (saved with the model, counted as its inference
parameters); the updaters live in the training objective, so an exported model has no trace of
them and eval mode runs no updater.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager

import torch
import torch.nn.functional as F
from torch import nn

from llie_video.techniques.config import LfpvConfig


def query(features: torch.Tensor, entries: torch.Tensor) -> torch.Tensor:
    """Softmax attention of tokens ``(B, N, D)`` over ``entries`` ``(l, D)`` -> ``(B, N, D)``."""
    logits = features @ entries.t() / math.sqrt(entries.shape[1])
    return torch.softmax(logits, dim=-1) @ entries


def _pad_to_multiple(f: torch.Tensor, k: int) -> torch.Tensor:
    pad_h, pad_w = (-f.shape[-2]) % k, (-f.shape[-1]) % k
    return F.pad(f, (0, pad_w, 0, pad_h), mode="replicate") if pad_h or pad_w else f


def patch_tokens(f: torch.Tensor, k: int) -> torch.Tensor:
    """``(B, c, h, w)`` -> ``(B, ceil(h/k) ceil(w/k), c k k)`` (replicate-padded to multiples
    of ``k``)."""
    blocks = F.pixel_unshuffle(_pad_to_multiple(f, k), k)
    return blocks.flatten(2).transpose(1, 2)


class LfpvBank(nn.Module):
    """The entries and the query-and-fuse step: ``f (B, c, h, w) -> f_vec + f_patch + f``.

    Args:
        channels: ``c`` of the features.
        entries: ``l``.
        patch: ``k``.
    """

    def __init__(self, channels: int, entries: int = 16, patch: int = 4) -> None:
        super().__init__()
        self.channels, self.patch = channels, patch
        self.vectors = nn.Parameter(0.1 * torch.randn(entries, channels), requires_grad=False)
        self.patches = nn.Parameter(
            0.1 * torch.randn(entries, channels * patch * patch), requires_grad=False
        )
        self.bypass = False
        self._updaters: list[LfpvUpdaters] = []  # a plain list: not a submodule of the model

    def set_updaters(self, updaters: LfpvUpdaters | None) -> None:
        """Use ``updaters`` in training mode (``None``: the entries stay fixed)."""
        self._updaters = [] if updaters is None else [updaters]

    @contextmanager
    def bypassed(self) -> Iterator[None]:
        """Within the block the layer's features pass through unchanged (``I_hat`` of the paper)."""
        self.bypass = True
        try:
            yield
        finally:
            self.bypass = False

    def current_entries(self, f: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Entries to query with: the state, plus (training with updaters) this step's updates,
        which are then written into the state."""
        if not (self.training and self._updaters and torch.is_grad_enabled()):
            return self.vectors, self.patches
        vectors, patches = self._updaters[0](f.detach(), self.vectors, self.patches, self.patch)
        with torch.no_grad():
            self.vectors.copy_(vectors)
            self.patches.copy_(patches)
        return vectors, patches

    def forward(self, f: torch.Tensor) -> torch.Tensor:
        if self.bypass:
            return f
        b, c, h, w = f.shape
        vectors, patches = self.current_entries(f)
        tokens = f.flatten(2).transpose(1, 2)  # (B, h w, c)
        f_vec = query(tokens, vectors).transpose(1, 2).reshape(b, c, h, w)
        k = self.patch
        hp, wp = -(-h // k), -(-w // k)
        f_patch = query(patch_tokens(f, k), patches).transpose(1, 2).reshape(b, c * k * k, hp, wp)
        f_patch = F.pixel_shuffle(f_patch, k)[..., :h, :w]
        return f_vec + f_patch + f

    def num_entries_parameters(self) -> int:
        """Extra inference parameters: ``l c + l c k k``."""
        return self.vectors.numel() + self.patches.numel()


def _mlp(in_features: int, hidden: int, out_features: int) -> nn.Sequential:
    return nn.Sequential(nn.Linear(in_features, hidden), nn.GELU(), nn.Linear(hidden, out_features))


class EntryUpdater(nn.Module):
    """Sample and Mutual Updater for one kind of entry (dimension ``D``).

    ``sample(samples (N, D), entries (l, D)) -> (l, D)`` and ``mutual(entries) -> (l, D)``.
    """

    def __init__(self, dim: int, entries: int, embedding: int, hidden: int, scale: float) -> None:
        super().__init__()
        self.scale = scale
        self.identity = nn.Parameter(torch.randn(entries, embedding))
        self.sample_net = _mlp(2 * dim + embedding, hidden, dim)
        self.mutual_net = _mlp(2 * dim + 2 * embedding, hidden, dim)

    def sample(self, samples: torch.Tensor, entries: torch.Tensor) -> torch.Tensor:
        """``Delta C_j = scale * mean_i tanh(S(s_i + C_j + e_j))``."""
        n, l = samples.shape[0], entries.shape[0]
        rows = torch.cat(
            [
                samples[:, None].expand(n, l, -1),
                entries[None].expand(n, l, -1),
                self.identity[None].expand(n, l, -1),
            ],
            dim=-1,
        )
        return self.scale * torch.tanh(self.sample_net(rows)).mean(0)

    def mutual(self, entries: torch.Tensor) -> torch.Tensor:
        """``Wedge C_j = scale * mean_{h != j} tanh(M(C_j + C_h + e_j + e_h))``."""
        l = entries.shape[0]
        nodes = torch.cat([entries, self.identity], dim=1)  # (l, D + E)
        d = entries.shape[1]
        pairs = torch.cat(
            [
                nodes[:, None, :d].expand(l, l, d),
                nodes[None, :, :d].expand(l, l, d),
                nodes[:, None, d:].expand(l, l, -1),
                nodes[None, :, d:].expand(l, l, -1),
            ],
            dim=-1,
        )
        messages = torch.tanh(self.mutual_net(pairs))  # (l, l, D)
        off_diagonal = 1.0 - torch.eye(l, device=entries.device, dtype=entries.dtype)
        return self.scale * (messages * off_diagonal[..., None]).sum(1) / (l - 1)


class LfpvUpdaters(nn.Module):
    """The training-only updaters of one :class:`LfpvBank`.

    ``forward(f (B, c, h, w), vectors (l, c), patches (l, c k k), k)`` -> new vectors and
    patches, same shapes.
    The samples are each image's mean feature vector and mean ``k x k`` feature patch.
    """

    def __init__(self, channels: int, config: LfpvConfig) -> None:
        super().__init__()
        args = (config.entries, config.embedding, config.hidden, config.update_scale)
        self.vector_updater = EntryUpdater(channels, *args)
        self.patch_updater = EntryUpdater(channels * config.patch**2, *args)

    def forward(
        self, f: torch.Tensor, vectors: torch.Tensor, patches: torch.Tensor, k: int
    ) -> tuple[torch.Tensor, torch.Tensor]:
        vector_samples = f.mean((2, 3))  # (B, c)
        patch_samples = patch_tokens(f, k).mean(1)  # (B, c k k)
        new_vectors = (
            vectors
            + self.vector_updater.sample(vector_samples, vectors)
            + self.vector_updater.mutual(vectors)
        )
        new_patches = (
            patches
            + self.patch_updater.sample(patch_samples, patches)
            + self.patch_updater.mutual(patches)
        )
        return new_vectors, new_patches
