"""One progress bar for a batch: frames of all files, with files done and failed beside it."""

from __future__ import annotations

from tqdm import tqdm


class BatchProgress:
    """A tqdm bar over the expected frames of every file (images count one), on stderr;
    does nothing when disabled."""

    def __init__(self, total_frames: int, files: int, enabled: bool = True) -> None:
        self.files = files
        self.finished = 0
        self.failed = 0
        self._bar = (tqdm(total=total_frames or None, unit="frame", desc="batch", leave=True,
                          dynamic_ncols=True, smoothing=0.1) if enabled else None)
        self._describe()

    def frames(self, count: int) -> None:
        """``count`` more frames were written."""
        if self._bar is not None:
            self._bar.update(count)

    def file_ended(self, failed: bool, expected: int, counted: int) -> None:
        """A file ended: ``expected`` frames were in the bar's total for it, ``counted`` were
        reported through :meth:`frames` (the total is corrected by the difference)."""
        self.finished += 1
        self.failed += failed
        if self._bar is not None and self._bar.total is not None and counted != expected:
            self._bar.total = max(self._bar.n, self._bar.total + counted - expected)
            self._bar.refresh()
        self._describe()

    def _describe(self) -> None:
        if self._bar is not None:
            failed = f", {self.failed} failed" if self.failed else ""
            self._bar.set_postfix_str(f"files {self.finished}/{self.files}{failed}")

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
