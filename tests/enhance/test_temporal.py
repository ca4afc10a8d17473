"""The temporal state's one owner: a reset makes the next frame a first frame again, on every
route; without one the frames before it change the output."""

import av
import numpy as np
import pytest
import torch

from llie_video import create_model
from llie_video.enhance.settings import EnhanceSettings
from llie_video.enhance.stage import EnhanceStage


def _frame(seed: int, lift: int) -> av.VideoFrame:
    """A dark noisy 4:2:0 frame (64x48) of one scene, ``lift`` codes brighter."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:48, 0:64] / 64
    rgb = np.stack([40 * xx + 10, 30 * yy + 12, 25 * (1 - xx) + 8], -1) + lift
    rgb = np.clip(rgb + rng.normal(0, 3, rgb.shape), 0, 255).astype(np.uint8)
    return av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p")


@pytest.mark.parametrize("fused", [True, False], ids=["fused route", "torch plane route"])
def test_reset_makes_the_next_frame_a_first_frame(fused):
    model = create_model("iat_lite", pretrained=True)

    def stage() -> EnhanceStage:
        return EnhanceStage(model, torch.device("cpu"), fused=fused,
                            settings=EnhanceSettings(smoothing=0.7, black_clip=0.5))

    before, after = _frame(0, 0), _frame(1, 6)
    first = stage().process_planes(after).to_ndarray(format="rgb24")
    carried = stage()
    carried.process_planes(before)
    followed = carried.process_planes(after).to_ndarray(format="rgb24")
    assert np.abs(followed.astype(int) - first).max() > 0  # the previous frame counted
    carried.reset_temporal()
    again = carried.process_planes(after).to_ndarray(format="rgb24")
    assert np.array_equal(again, first)


def test_the_stage_picks_its_plane_route_once():
    model = create_model("iat_lite")
    cpu = torch.device("cpu")
    fused = EnhanceStage(model, cpu)
    assert fused.fused and fused.prefers_planes and fused.overlap == 0
    plain = EnhanceStage(model, cpu, fused=False)
    assert not plain.fused and not plain.prefers_planes and plain.overlap == 0
    staged = EnhanceStage(model, cpu, fused=False, in_flight=2)
    assert staged.overlap == 1
