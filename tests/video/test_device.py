"""Choosing the compute device and precision; asking for a GPU that is not there is a clear
error."""

from __future__ import annotations

import pytest
import torch

from llie_video import UserError
from llie_video.cli import EXIT_USER_ERROR, main
from llie_video.video.device import select_device, select_dtype
from tests.helpers.cli import one_error_line

HAS_CUDA = torch.cuda.is_available()


def test_auto_picks_the_gpu_when_there_is_one():
    assert select_device("auto").type == ("cuda" if HAS_CUDA else "cpu")
    assert select_device("cpu") == torch.device("cpu")


@pytest.mark.skipif(HAS_CUDA, reason="this machine has a CUDA GPU")
@pytest.mark.parametrize("choice", ["cuda", "cuda:0"])
def test_cuda_without_a_gpu_is_a_user_error(choice):
    with pytest.raises(UserError, match="--device cuda was asked for, but no CUDA GPU is available"):
        select_device(choice)


@pytest.mark.skipif(HAS_CUDA, reason="this machine has a CUDA GPU")
def test_the_command_says_so_in_one_line(make_clip, tmp_path, capsys):
    clip = make_clip(frames=2, audio=False)
    assert main([str(clip), str(tmp_path / "out.mp4"), "--device", "cuda"]) == EXIT_USER_ERROR
    assert one_error_line(capsys) == (
        "llie-video: error: --device cuda was asked for, but no CUDA GPU is available")
    assert not (tmp_path / "out.mp4").exists()


@pytest.mark.skipif(not HAS_CUDA, reason="no CUDA GPU here")
def test_cuda_with_a_gpu():
    assert select_device("cuda").type == "cuda"


def test_unknown_devices_are_refused():
    with pytest.raises(UserError, match="unknown device 'tpu'; use auto, cpu or cuda"):
        select_device("tpu")


def test_half_precision_only_on_cuda_and_when_allowed():
    cuda, cpu = torch.device("cuda"), torch.device("cpu")
    assert select_dtype(cuda, None) == torch.float16
    assert select_dtype(cuda, True) == torch.float16
    assert select_dtype(cuda, False) == torch.float32
    assert select_dtype(cpu, None) == torch.float32
    assert select_dtype(cpu, True) == torch.float32  # fp16 is slow on the CPU
