"""Light-enhancement curves (Zero-DCE, Guo et al., CVPR 2020).

One curve step maps a pixel value ``x`` in [0, 1] to ``x + a * (x^2 - x)`` for ``a`` in [-1, 1]; the
step is monotonic and keeps [0, 1] in [0, 1]. Applying it repeatedly gives a higher-order curve.
"""

from __future__ import annotations

import torch


def apply_curves(x: torch.Tensor, alpha: torch.Tensor, iterations: int = 8) -> torch.Tensor:
    """Apply ``iterations`` light-enhancement curve steps.

    Args:
        x: image, ``(B, 3, H, W)`` in [0, 1].
        alpha: curve parameters in [-1, 1], same spatial size as ``x``: either ``(B, 3, H, W)``
            (one map shared by all steps, Zero-DCE++) or ``(B, 3 * iterations, H, W)`` (one map
            per step, Zero-DCE). ``B`` may be 1 for a map shared by the batch.
        iterations: number of curve steps.

    Returns:
        The enhanced image, ``(B, 3, H, W)`` in [0, 1].

    >>> x = torch.full((1, 3, 2, 2), 0.25)
    >>> round(apply_curves(x, torch.ones(1, 3, 2, 2), iterations=1)[0, 0, 0, 0].item(), 4)
    0.0625
    """
    channels = alpha.shape[1]
    if channels == 3:
        maps = [alpha] * iterations
    elif channels == 3 * iterations:
        maps = list(torch.split(alpha, 3, dim=1))
    else:
        raise ValueError(f"alpha has {channels} channels; expected 3 or {3 * iterations}")
    for a in maps:
        x = x + a * (x * x - x)
    return x


def apply_curves_(x: torch.Tensor, alpha: torch.Tensor, iterations: int = 8) -> torch.Tensor:
    """In-place :func:`apply_curves` for inference: overwrites and returns ``x``.

    Uses ``x + a (x^2 - x) = x (1 - a + a x)``: two fused passes per step and one scratch buffer,
    instead of four passes and three temporaries. Same shapes as :func:`apply_curves`; no autograd.
    """
    channels = alpha.shape[1]
    if channels not in (3, 3 * iterations):
        raise ValueError(f"alpha has {channels} channels; expected 3 or {3 * iterations}")
    scratch = torch.empty_like(x)
    if channels == 3:
        steps = [(alpha, 1.0 - alpha)] * iterations
    else:
        steps = [(a, 1.0 - a) for a in torch.split(alpha, 3, dim=1)]
    for a, one_minus_a in steps:
        torch.addcmul(one_minus_a, a, x, out=scratch)
        x.mul_(scratch)
    return x
