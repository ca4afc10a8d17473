"""A progress bar with fps and ETA for file jobs (tqdm, on stderr)."""

from __future__ import annotations

from tqdm import tqdm

from llie_video.video.frame import Frame
from llie_video.video.sources import StreamInfo


class ProgressReporter:
    """Feeds a tqdm bar from pipeline callbacks; does nothing when disabled."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self._bar: tqdm | None = None

    def start(self, info: StreamInfo) -> None:
        if self.enabled:
            self._bar = tqdm(total=info.frames or None, unit="frame", desc=info.name, leave=True,
                             dynamic_ncols=True, smoothing=0.1)

    def update(self, frame: Frame) -> None:
        if self._bar is not None:
            self._bar.update(1)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
