"""Shared fixtures: real clips written with PyAV in a temporary folder, a real RTSP server, and
the fused kernel compiled once. The helpers behind them are in tests/helpers/."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.helpers.clips import write_clip
from tests.helpers.folders import write_mixed_folder
from tests.helpers.pairs import write_real_pairs
from tests.helpers.photos import GENERATED, TEST_PHOTOS, load_test_image
from tests.helpers.rtsp import RtspServer, refused_port

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# rtsp_server.py runs under the system Python with Debian's GStreamer bindings, started by the
# RTSP fixtures; helpers/ holds no tests
collect_ignore = ["rtsp_server.py", "helpers"]


@pytest.fixture(params=(GENERATED, *TEST_PHOTOS))
def test_image(request: pytest.FixtureRequest):
    """``(1, 3, H, W)`` float RGB in [0, 1]: a generated dark frame, then real photos (skipped
    where ../shared is absent); see :func:`tests.helpers.photos.load_test_image`."""
    return load_test_image(request.param)


@pytest.fixture(scope="session")
def fast_path_compiled() -> None:
    """Compile (or load from Numba's cache) the fused CPU kernel once, before tests that count
    frames through the fused path: on a fresh machine the first compile takes 10-30 s."""
    import torch

    from llie_video.models import create_model
    from llie_video.enhance.stage import EnhanceStage

    EnhanceStage(create_model("zero_dce_pp"), torch.device("cpu"), torch.float32).prepare()


ClipFactory = Callable[..., Path]


@pytest.fixture
def make_clip(tmp_path: Path) -> ClipFactory:
    """``make_clip(name="in.mp4", **write_clip kwargs) -> Path`` in the test's temp folder."""

    def factory(name: str = "in.mp4", **kwargs: object) -> Path:
        return write_clip(tmp_path / name, **kwargs)  # type: ignore[arg-type]

    return factory


@pytest.fixture
def rtsp_server(make_clip: ClipFactory) -> Iterator[RtspServer]:
    """A 4 s clip (160x96, 30 fps, with audio) served once at ``rtsp_server.url``."""
    server = RtspServer(make_clip("served.mp4", frames=120, size=(160, 96), fps=30))
    server.start()
    yield server
    server.thaw()
    server.stop()


@pytest.fixture
def refused_url() -> Iterator[str]:
    """An RTSP URL on a loopback port that refuses connections for the whole test."""
    with refused_port() as port:
        yield f"rtsp://127.0.0.1:{port}/nothing"


@pytest.fixture
def real_pairs_folder(tmp_path: Path) -> tuple[Path, list[str]]:
    """A tiny real-pair folder (see :func:`tests.helpers.pairs.write_real_pairs`) and its
    held-out names."""
    root = tmp_path / "pairs"
    return root, write_real_pairs(root)


@pytest.fixture
def mixed_folder(tmp_path: Path) -> Path:
    """A batch's input folder of good and bad files
    (:func:`tests.helpers.folders.write_mixed_folder`)."""
    return write_mixed_folder(tmp_path / "in")
