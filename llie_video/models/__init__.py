"""Enhancement models and their registry.

Model modules are imported explicitly here so that registration never depends on file discovery.
"""

from llie_video.models import attention, sci, zero_dce  # noqa: F401  (registers the models)
from llie_video.models._registry import (
    MODELS, ModelFigures, create_model, list_models, record_figures, register_model)
from llie_video.models.base import EnhancementModel

# attention.py registers its models without their figures (that file is another change's)
record_figures("iat_lite", ModelFigures(parameters=12_061, estimation_long_side=96))
record_figures("iat_colour", ModelFigures(parameters=13_801, estimation_long_side=96))

__all__ = ["MODELS", "EnhancementModel", "ModelFigures", "create_model", "list_models",
           "register_model"]
