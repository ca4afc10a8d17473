"""The exported graphs in torch: exact estimation sizes, torch's bilinear coordinates, and the
same enhancement as the model's own forward pass."""

from math import gcd

import pytest
import torch
import torch.nn.functional as F

from llie_video.export.graphs import FullFrameGraph, estimation_size, resize_bilinear
from llie_video.models import create_model, list_models
from llie_video.models.base import estimation_scale
from llie_video.ops.resize import low_resolution_size


@pytest.mark.parametrize("long_side", [96, 320, 480])
def test_estimation_size_is_the_stage_s(long_side):
    """Every size whose exact quotient is an integer (where floating point can land just
    below it, as 35 x 112 does at 96) up to a 2000-pixel long side, sizes below the long side,
    and common frame sizes."""
    sizes = [(side, longest) for longest in range(long_side + 1, 2000)
             for side in range(longest // gcd(longest, long_side), longest + 1,
                               longest // gcd(longest, long_side))]
    sizes += [(side, longest) for longest in range(long_side - 8, long_side + 1)
              for side in range(1, longest + 1)]
    sizes += [(720, 1280), (1080, 1920), (2160, 3840), (480, 640), (1080, 1440), (37, 101)]
    for side, longest in sizes:
        expected = low_resolution_size(side, longest, estimation_scale(side, longest, long_side))
        assert estimation_size(side, longest, long_side) == expected, (side, longest)
        assert estimation_size(longest, side, long_side) == expected[::-1], (longest, side)
    assert estimation_size(1080, 1920, None) == (1080, 1920)


@pytest.mark.parametrize(("size", "align_corners"), [
    ((50, 60), False), ((13, 17), False), ((97, 131), False), ((1, 1), False),
    ((300, 400), True), ((97, 131), True), ((200, 7), True)])
def test_resize_is_torch_s_bilinear(size, align_corners):
    x = torch.rand(2, 3, 97, 131, generator=torch.Generator().manual_seed(0))
    ours = resize_bilinear(x, size, align_corners)
    theirs = F.interpolate(x, size=size, mode="bilinear", align_corners=align_corners)
    assert ours.shape == theirs.shape
    assert (ours - theirs).abs().max() < 1e-5


@pytest.mark.parametrize("name", list_models())
def test_full_frame_graph_is_the_model_s_forward(name, test_image):
    model = create_model(name, pretrained=True)
    with torch.no_grad():
        ours = FullFrameGraph(model)(test_image.clone())
        # forward upsamples with OpenCV's fixed-point weights on the CPU: a little apart
        assert (ours - model(test_image.clone())).abs().max() < 2e-4
