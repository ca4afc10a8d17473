"""Enhancement models and their registry.

Model modules are imported explicitly here so that registration never depends on file discovery.
"""

from llie_video.models import attention, sci, zero_dce  # noqa: F401  (registers the models)
from llie_video.models._registry import (
    MODELS, ModelFigures, create_model, list_models, register_model)
from llie_video.models.base import EnhancementModel

__all__ = ["MODELS", "EnhancementModel", "ModelFigures", "create_model", "list_models",
           "register_model"]
