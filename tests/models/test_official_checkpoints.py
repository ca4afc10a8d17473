"""The original authors' checkpoints load through an explicit remap, strictly, and our models
reproduce a direct re-computation of the original architectures with those weights."""

import pytest
import torch
import torch.nn.functional as F

from tests.helpers.shared import shared_path
from llie_video import UserError, create_model

torch.manual_seed(0)
X = torch.rand(1, 3, 240, 360) * 0.35


def _load(name: str) -> dict[str, torch.Tensor]:
    return torch.load(shared_path("weights", "official", name), map_location="cpu", weights_only=True)


def _zero_dce_reference(sd, x, conv, scale=1):
    x_low = x if scale == 1 else F.interpolate(x, scale_factor=1 / scale, mode="bilinear")
    x1 = F.relu(conv(sd, 1, x_low))
    x2 = F.relu(conv(sd, 2, x1))
    x3 = F.relu(conv(sd, 3, x2))
    x4 = F.relu(conv(sd, 4, x3))
    x5 = F.relu(conv(sd, 5, torch.cat([x3, x4], 1)))
    x6 = F.relu(conv(sd, 6, torch.cat([x2, x5], 1)))
    maps = torch.tanh(conv(sd, 7, torch.cat([x1, x6], 1)))
    if scale != 1:
        maps = F.interpolate(maps, scale_factor=scale, mode="bilinear", align_corners=True)
    splits = torch.split(maps, 3, 1) if maps.shape[1] == 24 else [maps] * 8
    for a in splits:
        x = x + a * (x * x - x)
    return x


def _full_conv(sd, i, t):
    return F.conv2d(t, sd[f"e_conv{i}.weight"], sd[f"e_conv{i}.bias"], padding=1)


def _separable_conv(sd, i, t):
    p = f"e_conv{i}."
    t = F.conv2d(t, sd[p + "depth_conv.weight"], sd[p + "depth_conv.bias"], padding=1, groups=t.shape[1])
    return F.conv2d(t, sd[p + "point_conv.weight"], sd[p + "point_conv.bias"])


def test_zero_dce_matches_original():
    path = shared_path("weights", "official", "ZeroDCE_Epoch99.pth")
    model = create_model("zero_dce", weights=path)
    with torch.no_grad():
        ours = model(X)
        ref = _zero_dce_reference(_load(path.name), X, _full_conv)
    assert (ours - ref).abs().max().item() < 1e-5


def test_zero_dce_pp_matches_original_at_scale_12():
    path = shared_path("weights", "official", "ZeroDCEpp_Epoch99.pth")
    model = create_model("zero_dce_pp", weights=path)
    with torch.no_grad():
        ours = model(X, long_side=30)  # 360 / 12
        ref = _zero_dce_reference(_load(path.name), X, _separable_conv, scale=12)
    assert (ours - ref).abs().max().item() < 1e-5


@pytest.mark.parametrize("level", ["easy", "medium", "difficult"])
def test_sci_matches_original(level):
    path = shared_path("weights", "official", f"SCI_{level}.pt")
    sd = _load(path.name)
    model = create_model("sci", weights=path)

    def bn(t, p):
        return F.batch_norm(t, sd[p + "running_mean"], sd[p + "running_var"], sd[p + "weight"],
                            sd[p + "bias"], training=False, eps=1e-5)

    def conv(t, p):
        return F.conv2d(t, sd[p + "weight"], sd[p + "bias"], padding=1)

    with torch.no_grad():
        fea = F.relu(conv(X, "enhance.in_conv.0."))
        fea = fea + F.relu(bn(conv(fea, "enhance.blocks.0.0."), "enhance.blocks.0.1."))
        illumination = torch.clamp(torch.sigmoid(conv(fea, "enhance.out_conv.0.")) + X, 1e-4, 1)
        ref = torch.clamp(X / illumination, 0, 1)
        ours = model(X, long_side=None)
    assert (ours - ref).abs().max().item() < 1e-5


def test_mismatched_checkpoint_is_a_user_error():
    path = shared_path("weights", "official", "ZeroDCE_Epoch99.pth")
    with pytest.raises(UserError, match="do not fit"):
        create_model("zero_dce_pp", weights=path)
