"""Model registry: ``register_model`` records an entry point by name, with the figures
``llie-video models`` shows; ``create_model`` builds it.

Names are architecture names (``"zero_dce_pp"``). ``create_model(name, pretrained=True)`` loads the
checkpoint this project ships for that architecture (see ``weights/MANIFEST.json``); ``"default"``
names the default model chosen in the manifest. :data:`MODELS` is a
:class:`~llie_video.registry.Registry` of :class:`ModelEntry`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from llie_video.errors import UserError
from llie_video.models.base import EnhancementModel
from llie_video.registry import Registry

ModelFactory = Callable[..., EnhancementModel]
_F = TypeVar("_F", bound=ModelFactory)


@dataclass(frozen=True)
class ModelFigures:
    """What a model is at its factory's defaults, for ``llie-video models`` (which so builds
    nothing; a test checks these against the built models).

    Attributes:
        parameters: its trainable parameters.
        estimation_long_side: the long side, in pixels, its estimator sees (None: the full
            frame).
    """

    parameters: int
    estimation_long_side: int | None


@dataclass(frozen=True)
class ModelEntry:
    """A registered model: its factory and its figures (None: not recorded)."""

    factory: ModelFactory
    figures: ModelFigures | None = None


MODELS: Registry[ModelEntry] = Registry("model")


def register_model(name: str, figures: ModelFigures | None = None) -> Callable[[_F], _F]:
    """Decorator: record ``factory`` under ``name`` with its ``figures``; a name may be
    registered once."""

    def decorator(factory: _F) -> _F:
        MODELS.register(name, ModelEntry(factory, figures))
        return factory

    return decorator


def list_models() -> list[str]:
    """Registered architecture names, sorted."""
    return sorted(MODELS.names())


def resolve_name(name: str) -> str:
    """Map ``"default"`` to the manifest's default architecture; check that ``name`` is known."""
    if name == "default":
        from llie_video.models.weights import default_model_name

        name = default_model_name()
    if name not in MODELS:
        raise UserError(f"unknown model {name!r}; known models: {', '.join(list_models())}, default")
    return name


def create_model(
    name: str,
    pretrained: bool = False,
    weights: str | Path | None = None,
    **kwargs: object,
) -> EnhancementModel:
    """Build a registered model.

    Args:
        name: an architecture name from :func:`list_models`, or ``"default"``.
        pretrained: load the checkpoint this project ships for the architecture.
        weights: a checkpoint file to load instead: one written by this project's trainer, or the
            original authors' checkpoint (remapped explicitly, then loaded strictly).
        kwargs: architecture arguments; ignored keys are an error.

    The model is returned in eval mode.
    """
    from llie_video.models.weights import load_checkpoint_into, shipped_weights_path

    name = resolve_name(name)
    path = Path(weights) if weights is not None else None
    if path is None and pretrained:
        path = shipped_weights_path(name)
    model_kwargs = dict(kwargs)
    if path is not None:
        from llie_video.models.weights import read_model_kwargs

        # checked before building: another model's arguments would not fit this one
        model_kwargs = {**read_model_kwargs(path, name), **model_kwargs}
    try:
        model = MODELS.get(name).factory(**model_kwargs)
    except TypeError as exc:
        raise UserError(f"bad arguments for model {name!r}: {exc}") from None
    model.registry_name = name
    if path is not None:
        load_checkpoint_into(model, path)
    return model.eval()
