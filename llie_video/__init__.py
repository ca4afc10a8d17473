"""llie-video: real-time low-light video enhancement with tiny neural models."""

from llie_video.errors import ConfigError, UserError
from llie_video.models import EnhancementModel, create_model, list_models

__version__ = "0.1.0"

__all__ = [
    "ConfigError",
    "EnhancementModel",
    "UserError",
    "__version__",
    "create_model",
    "list_models",
]
