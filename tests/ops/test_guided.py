"""Edge-aware upsampling of parameter maps: the lift follows the frame's edges."""

import torch

from llie_video.ops.guided import apply_coefficients, clamp_params, guided_coefficients
from llie_video.ops.render_spec import RenderKind
from llie_video.ops.resize import upsample_params


def _pylon(height: int, width: int) -> torch.Tensor:
    """Luma ``(1, 1, H, W)``: a bright flat sky with a dark vertical bar a tenth of the width."""
    luma = torch.full((1, 1, height, width), 0.6)
    luma[..., width // 2 - width // 20 : width // 2 + width // 20] = 0.05
    return luma


def test_guided_upsampling_keeps_the_lift_off_the_sky_beside_a_dark_object():
    full = _pylon(360, 640)
    low = torch.nn.functional.interpolate(full, size=(27, 48), mode="area")
    # what a smooth estimator gives: a strong lift (negative curve parameter) on the dark bar,
    # spread over its neighbourhood at low resolution
    params = torch.nn.functional.avg_pool2d(-0.9 * (low < 0.3).float() - 0.1, 5, 1, 2,
                                            count_include_pad=False).expand(1, 3, -1, -1)
    plain = upsample_params(params.contiguous(), (360, 640))
    guided = apply_coefficients(upsample_params(guided_coefficients(low, params), (360, 640)),
                                full)
    near = slice(640 // 2 + 640 // 20 + 2, 640 // 2 + 640 // 20 + 40)  # sky beside the bar
    far = slice(0, 60)

    def spill(p):
        return (p[..., near].mean() - p[..., far].mean()).abs().item()

    assert spill(plain) > 0.1
    assert spill(guided) < 0.5 * spill(plain)
    bar = slice(640 // 2 - 10, 640 // 2 + 10)
    assert guided[..., bar].mean() < -0.6  # the bar keeps its lift


def test_clamp_params_keeps_curves_in_range_and_leaves_illumination():
    p = torch.tensor([-1.5, -0.2, 1.3])
    assert torch.allclose(clamp_params(p.clone(), RenderKind.CURVES), torch.tensor([-1.0, -0.2, 1.0]))
    assert torch.equal(clamp_params(p.clone(), RenderKind.RETINEX), p)
