import pytest
import torch
import torch.nn.functional as F

from llie_video.ops.filters import box_mean, max_filter


@pytest.mark.parametrize("size", [1, 3, 17])
@pytest.mark.parametrize("shape", [(1, 1, 54, 96), (2, 3, 7, 5), (1, 300, 6, 5)])  # 300: in parts
def test_max_filter_is_the_unpadded_square_maximum(size: int, shape: tuple[int, ...]) -> None:
    x = torch.rand(shape, generator=torch.Generator().manual_seed(size))
    r = size // 2
    # the maximum over the in-bounds part of each window, by brute force
    padded = F.pad(x, (r, r, r, r), value=float("-inf"))
    brute = padded.unfold(2, size, 1).unfold(3, size, 1).amax(dim=(-1, -2))
    assert torch.equal(max_filter(x, size), brute)
    assert torch.equal(max_filter(x.double(), size), brute.double())  # the torch route


@pytest.mark.parametrize("square_filter", [max_filter, box_mean])
def test_square_filters_reject_an_even_size(square_filter) -> None:
    with pytest.raises(ValueError, match="odd"):
        square_filter(torch.zeros(1, 1, 4, 4), 2)


@pytest.mark.parametrize("shape", [(1, 3, 54, 96), (2, 1, 3, 2), (2, 150, 6, 5)])  # 300 planes: in parts
def test_box_mean_averages_the_in_bounds_samples(shape: tuple[int, ...]) -> None:
    x = torch.rand(shape, generator=torch.Generator().manual_seed(1))
    reference = F.avg_pool2d(x, 5, stride=1, padding=2, count_include_pad=False)
    torch.testing.assert_close(box_mean(x, 5), reference)
    on_torch = F.avg_pool2d(x.double(), 5, stride=1, padding=2, count_include_pad=False)
    torch.testing.assert_close(box_mean(x.double(), 5), on_torch)  # the torch route
