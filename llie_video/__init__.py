"""llie-video: real-time low-light video enhancement with tiny neural models.

The model API is imported on first use, so light modules (the settings, the config loader) can be
imported without loading torch.
"""

from __future__ import annotations

from typing import Any

from llie_video.errors import ConfigError, UserError

__version__ = "0.1.0"

__all__ = [
    "ConfigError",
    "EnhancementModel",
    "UserError",
    "__version__",
    "create_model",
    "list_models",
]

_MODEL_API = ("EnhancementModel", "create_model", "list_models")


def __getattr__(name: str) -> Any:
    if name in _MODEL_API:
        from llie_video import models

        return getattr(models, name)
    raise AttributeError(f"module 'llie_video' has no attribute {name!r}")
