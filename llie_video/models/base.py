"""The interface every enhancement model implements: ``estimate`` parameters, ``render`` them.

A model predicts a smooth per-pixel parameter map from a (usually downscaled) frame, then applies
it to the full-resolution frame with a cheap, weight-free formula from :mod:`llie_video.ops`. The
split lets the video stage estimate at low resolution, smooth the parameters over time, and render
at full resolution.
"""

from __future__ import annotations

from typing import ClassVar

import torch
from torch import nn

from llie_video.ops.render_spec import RenderSpec
from llie_video.ops.colour_transform import upsample_with_colour
from llie_video.ops.resize import downscale

# ``long_side`` meaning "the model's own estimation size" (its ``estimation_long_side``); None
# means the full frame
OWN_ESTIMATION_SIZE = -1

class EnhancementModel(nn.Module):
    """Base class: subclasses implement :meth:`estimate` and :meth:`render`.

    Class attributes:
        param_channels: channels ``P`` of the parameter map.
        estimation_long_side: default long side, in pixels, of the frame the parameters are
            estimated on at inference (``None``: full resolution).
        original_checkpoint_prefixes: key prefixes that identify the original authors' checkpoint.
        estimates_in_torch: whether :meth:`estimate` is a torch forward (that an inference
            runtime can take over); False for a model whose estimate already runs elsewhere.
    """

    param_channels: ClassVar[int]
    estimation_long_side: ClassVar[int | None] = None
    estimates_in_torch: ClassVar[bool] = True

    def estimate(self, x_low: torch.Tensor) -> torch.Tensor:
        """Parameter map ``(B, P, h, w)`` from an image ``(B, 3, h, w)`` in [0, 1]."""
        raise NotImplementedError

    def render(self, x: torch.Tensor, params: torch.Tensor) -> torch.Tensor:
        """Enhanced ``(B, 3, H, W)`` in [0, 1] from the image ``x`` ``(B, 3, H, W)`` and
        ``params`` ``(B, P, H, W)`` already at the image's size."""
        raise NotImplementedError

    def render_(self, x: torch.Tensor, params: torch.Tensor) -> torch.Tensor:
        """Inference-only :meth:`render` that may overwrite ``x`` (and ``params``) to save memory
        traffic; results match :meth:`render` to float rounding."""
        return self.render(x, params)

    def inference_graph(self) -> nn.Module | None:
        """A module computing :meth:`estimate` in fewer, larger ops for inference runtimes
        (``(B, 3, h, w) -> (B, P, h, w)``, the same maps to float rounding), built from the
        parameters as they are now; None: export :meth:`estimate` as it is."""
        return None

    def render_spec(self) -> RenderSpec | None:
        """The render as the fused YUV kernel knows it, or None (the plain torch route then)."""
        return None

    def forward(self, x: torch.Tensor, long_side: int | None = OWN_ESTIMATION_SIZE
                ) -> torch.Tensor:
        """Enhance ``x`` ``(B, 3, H, W)``: estimate on a frame whose long side is ``long_side``
        pixels (:data:`OWN_ESTIMATION_SIZE`: the model's own, ``None``: full resolution),
        render at full size."""
        return self.forward_with_params(x, long_side)[0]

    def forward_with_params(self, x: torch.Tensor, long_side: int | None = OWN_ESTIMATION_SIZE
                            ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """:meth:`forward`, keeping the intermediates the training losses need: ``(enhanced
        (B, 3, H, W), params (B, P, h, w) at estimation size, x_low (B, 3, h, w))``."""
        target = self.estimation_long_side if long_side == OWN_ESTIMATION_SIZE else long_side
        x_low = downscale(x, estimation_scale(x.shape[-2], x.shape[-1], target))
        params = self.estimate(x_low)
        spec = self.render_spec()
        full = upsample_with_colour(params, (x.shape[-2], x.shape[-1]),
                                    spec is not None and spec.colour_transform)
        return self.render(x, full), params, x_low

    @classmethod
    def remap_original_state_dict(cls, state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        """Rename the original authors' checkpoint keys to this class's; raise if it cannot."""
        raise NotImplementedError(f"{cls.__name__} has no original checkpoint to remap")

    @classmethod
    def is_original_state_dict(cls, state: dict[str, torch.Tensor]) -> bool:
        """Whether ``state`` looks like the original authors' checkpoint for this class."""
        return False

    def architecture_kwargs(self) -> dict[str, object]:
        """Constructor arguments that rebuild this architecture (stored in checkpoints)."""
        return {}

    def num_parameters(self) -> int:
        """Number of parameters used at inference."""
        return sum(p.numel() for p in self.parameters())


def estimation_scale(height: int, width: int, long_side: int | None) -> float:
    """Downscale factor that brings the long side of ``height x width`` to ``long_side`` (>= 1)."""
    if long_side is None:
        return 1.0
    return max(1.0, max(height, width) / long_side)


__all__ = ["EnhancementModel", "estimation_scale"]
