"""Typed configuration of the training-time techniques (the ``techniques`` section of a
training YAML)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class PogConfig:
    """Parameter orthogonal generation: ``dim`` is the embedding dimension ``d`` of each weight
    element (the number of orthogonal basis vectors per element)."""

    enabled: bool = False
    dim: int = 16

    def __post_init__(self) -> None:
        if self.dim < 2:
            raise ValueError(f"pog.dim must be >= 2, got {self.dim}")


@dataclass(frozen=True)
class AdrConfig:
    """Attention dynamic reallocation: ``sharpness`` is the slope ``kappa`` of the gate on
    ``m * A - tau`` (see :mod:`llie_video.techniques.adr`)."""

    enabled: bool = False
    sharpness: float = 8.0

    def __post_init__(self) -> None:
        if self.sharpness <= 0:
            raise ValueError(f"adr.sharpness must be > 0, got {self.sharpness}")


@dataclass(frozen=True)
class LfpvConfig:
    """Learnable feature patches and vectors.

    Attributes:
        layer: dotted name of the module whose output features are fused (``None``: the model's
            ``lfpv_layer``).
        entries: number ``l`` of vectors and of patches.
        patch: patch side ``k``.
        embedding: size of each entry's identity embedding ``e_j``.
        hidden: hidden width of the updaters.
        update_scale: each updater output is ``update_scale * tanh(.)``.
        plain_weight: weight of ``L(I_hat, I)`` (the model without the entries) next to
            ``L(I_bar, I)`` (with them); the paper's ``lambda`` is ``1 / plain_weight``.
    """

    enabled: bool = False
    layer: str | None = None
    entries: int = 16
    patch: int = 4
    embedding: int = 8
    hidden: int = 32
    update_scale: float = 0.01
    plain_weight: float = 1.0

    def __post_init__(self) -> None:
        if self.entries < 2 or self.patch < 1 or self.embedding < 1 or self.hidden < 1:
            raise ValueError("lfpv: entries >= 2, patch, embedding and hidden >= 1 are required")
        if self.plain_weight < 0 or self.update_scale <= 0:
            raise ValueError("lfpv: plain_weight must be >= 0 and update_scale > 0")


@dataclass(frozen=True)
class TechniquesConfig:
    """Which techniques a training run uses. POG and ADR change the architecture (they become
    constructor arguments of models that support them); LFPV is attached to any model."""

    pog: PogConfig = field(default_factory=PogConfig)
    adr: AdrConfig = field(default_factory=AdrConfig)
    lfpv: LfpvConfig = field(default_factory=LfpvConfig)

    def model_kwargs(self) -> dict[str, object]:
        """Constructor arguments for the enabled architectural techniques (empty when none)."""
        kwargs: dict[str, object] = {}
        if self.pog.enabled:
            kwargs.update(pog=True, pog_dim=self.pog.dim)
        if self.adr.enabled:
            kwargs.update(adr=True, adr_sharpness=self.adr.sharpness)
        return kwargs
