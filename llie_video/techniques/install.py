"""Install the configured techniques into a freshly built model and its training objective."""

from __future__ import annotations

from typing import TYPE_CHECKING

from llie_video.techniques.config import TechniquesConfig
from llie_video.techniques.plugin import LfpvLoss, attach_lfpv, find_bank

if TYPE_CHECKING:
    from llie_video.models.base import EnhancementModel
    from llie_video.training.objectives import Objective


def install_techniques(
    model: EnhancementModel, objective: Objective, config: TechniquesConfig
) -> None:
    """Attach LFPVs (bank on ``model`` unless it was built with one, updaters and the
    ``L(I_hat, I)`` term on ``objective``).

    POG and ADR are architecture arguments (:meth:`TechniquesConfig.model_kwargs`), already
    passed to the model's constructor.
    """
    if config.lfpv.enabled:
        bank = find_bank(model) or attach_lfpv(model, config.lfpv)
        objective.auxiliary["lfpv"] = LfpvLoss(bank, config.lfpv)
