"""Frames enhanced in order with frames left in flight, as the pipeline's enhance thread does."""

import pytest

from llie_video.video.frame_processor import enhance_in_order
from tests.helpers.pipeline_parts import InFlight, numbered_frames


@pytest.mark.parametrize("overlap", [0, 1, 2])
def test_enhance_in_order_keeps_order_and_overlap(overlap):
    processor = InFlight(overlap)
    results = list(enhance_in_order(processor, numbered_frames(7)))
    assert [f.index for f in results] == list(range(7))
    assert all((f.rgb == 255 - f.index).all() for f in results)
    assert processor.most_pending == overlap + 1
    assert processor.pending == 0
