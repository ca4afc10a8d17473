"""The summary a batch prints when it ends (stderr)."""

from __future__ import annotations

import sys
from typing import TextIO

from llie_video.batch.runner import BatchSummary

SHOWN_FAILURES = 20


def format_summary(summary: BatchSummary) -> list[str]:
    """The summary's lines: counts, then each failed file with its error (the first
    :data:`SHOWN_FAILURES`; the manifest has all)."""
    parts = [f"{len(summary.done)} enhanced"]
    if summary.skipped:
        parts.append(f"{summary.skipped} skipped (done before)")
    if summary.failed:
        parts.append(f"{len(summary.failed)} failed")
    lines = [f"batch: {', '.join(parts)}; manifest {summary.manifest}"]
    if summary.interrupted:
        lines.append(f"batch: interrupted; {summary.not_run} files not finished (nothing written "
                     "for them): run the same command again to resume")
    for path, error in summary.failed[:SHOWN_FAILURES]:
        lines.append(f"failed: {path}: {error}")
    if len(summary.failed) > SHOWN_FAILURES:
        more = len(summary.failed) - SHOWN_FAILURES
        lines.append(f"... and {more} more failed (see the manifest)")
    return lines


def print_summary(summary: BatchSummary, quiet: bool = False, out: TextIO | None = None) -> None:
    """Print the summary; ``quiet`` keeps only what went wrong."""
    out = out or sys.stderr
    lines = format_summary(summary)
    if quiet:
        lines = lines[1:]
    for line in lines:
        print(line, file=out)
