import pytest
import torch

from llie_video.ops import adjust_gamma, apply_curves, blend, divide_by_illumination, downscale
from llie_video.ops import rgb_to_yuv, upsample_params, yuv_to_rgb


def test_curve_step_matches_formula():
    x = torch.rand(2, 3, 5, 7)
    a = torch.rand(2, 3, 5, 7) * 2 - 1
    assert torch.allclose(apply_curves(x, a, iterations=1), x + a * (x * x - x))


def test_curves_stay_in_unit_range_and_brighten_for_negative_alpha():
    x = torch.rand(1, 3, 8, 8)
    y = apply_curves(x, -torch.ones(1, 3, 8, 8), iterations=8)
    assert y.min() >= 0 and y.max() <= 1
    assert (y >= x - 1e-6).all()


def test_per_iteration_maps_equal_repeated_shared_map():
    x = torch.rand(1, 3, 4, 4)
    a = torch.rand(1, 3, 4, 4) - 0.5
    assert torch.allclose(apply_curves(x, a.repeat(1, 8, 1, 1)), apply_curves(x, a))


def test_curves_reject_wrong_channel_count():
    with pytest.raises(ValueError):
        apply_curves(torch.rand(1, 3, 2, 2), torch.rand(1, 5, 2, 2))


def test_divide_by_illumination_clamps():
    x = torch.tensor([0.2, 0.8]).view(1, 2, 1, 1)
    illum = torch.tensor([0.4, 0.4]).view(1, 2, 1, 1)
    assert divide_by_illumination(x, illum).flatten().tolist() == pytest.approx([0.5, 1.0])
    assert torch.isfinite(divide_by_illumination(x, torch.zeros_like(x))).all()


def test_gamma_and_blend():
    x = torch.full((1, 3, 2, 2), 0.25)
    assert adjust_gamma(x, 1.0) is x
    assert adjust_gamma(x, 2.0).mean().item() == pytest.approx(0.5)
    assert adjust_gamma(x, 0.5).mean().item() == pytest.approx(0.0625)
    y = torch.ones_like(x)
    assert blend(x, y, 0.0).mean().item() == pytest.approx(0.25)
    assert blend(x, y, 0.5).mean().item() == pytest.approx(0.625)
    with pytest.raises(ValueError):
        adjust_gamma(x, 0.0)


@pytest.mark.parametrize("weights", [(0.299, 0.587, 0.114), (0.2126, 0.7152, 0.0722)])
def test_yuv_round_trip(weights):
    x = torch.rand(2, 3, 6, 5)
    assert torch.allclose(yuv_to_rgb(rgb_to_yuv(x, weights), weights), x, atol=1e-6)


def test_downscale_and_upsample_sizes():
    x = torch.rand(1, 3, 241, 363)
    low = downscale(x, 12)
    assert low.shape[-2:] == (20, 30)
    assert downscale(x, 1) is x
    assert upsample_params(low, (241, 363)).shape[-2:] == (241, 363)


@pytest.mark.parametrize("channels", [3, 24])
def test_opencv_upsample_matches_torch(channels):
    import torch.nn.functional as F

    low = torch.rand(2, channels, 9, 16) * 2 - 1
    with torch.no_grad():
        fast = upsample_params(low, (71, 128))
    ref = F.interpolate(low, size=(71, 128), mode="bilinear", align_corners=True)
    assert fast.shape == ref.shape
    assert (fast - ref).abs().max().item() < 1e-5
    low.requires_grad_(True)
    slow = upsample_params(low, (71, 128))  # autograd path
    assert (slow - ref).abs().max().item() < 1e-5
    assert slow.requires_grad


def test_shadow_weight_ramps_from_black_to_the_threshold():
    from llie_video.ops.color import scale_saturation, shadow_weight

    y = torch.tensor([0.0, 0.02, 0.04, 0.5]).view(1, 1, 1, 4)
    assert shadow_weight(y.clone(), 0.04).flatten().tolist() == pytest.approx([0, 0.5, 1, 1])
    x = torch.tensor([0.3, 0.1, 0.5]).view(1, 3, 1, 1).expand(1, 3, 1, 4).clone()
    out = scale_saturation(x, 1.0, per_pixel=shadow_weight(y.clone(), 0.04))
    assert torch.allclose(out[..., 0], out[..., 0].mean(1, keepdim=True))  # grey at black
    assert torch.allclose(out[..., 3], x[..., 3])  # untouched above the threshold
