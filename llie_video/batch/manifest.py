"""The batch manifest: JSON lines in OUT_DIR, one appended per event, the latest per input wins.

A file handed to a worker gets a ``started`` record, then ``done`` or ``failed`` when it ends
(with frames, seconds, fps, or the one-line error). A rerun skips inputs whose latest record is
``done`` with the same size and mtime while the output is still there, and redoes the rest. An
input with any record is the manifest's: its output may be overwritten by a rerun (a crash can
leave it behind). Lines are flushed and synced as written; a line cut short by a crash is
ignored when read.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Literal

MANIFEST_NAME = "llie-video-manifest.jsonl"

Status = Literal["started", "done", "failed"]


@dataclass(frozen=True)
class Record:
    """One line of the manifest.

    Attributes:
        input: the input file, absolute.
        size, mtime: the input's size in bytes and modification time (seconds) when handed over.
        output: the output file, relative to OUT_DIR.
        status: ``started``, ``done`` or ``failed``.
        frames, seconds, fps: frames written, wall time of the file, frames per second.
        error: why it failed, one line.
        time: when the line was written (local time, ISO 8601).
    """

    input: str
    size: int
    mtime: float
    output: str
    status: Status
    frames: int = 0
    seconds: float = 0.0
    fps: float = 0.0
    error: str = ""
    time: str = ""


@dataclass(frozen=True)
class InputState:
    """An input's identity and version as the manifest compares them."""

    path: str
    size: int
    mtime: float

    @classmethod
    def of(cls, path: Path) -> InputState:
        stat = path.stat()
        return cls(str(path.resolve()), stat.st_size, stat.st_mtime)


class Manifest:
    """The manifest of ``out_dir``: read once when opened, appended to as files end."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.path = out_dir / MANIFEST_NAME
        self.latest: dict[str, Record] = {}
        for record in read_records(self.path):
            self.latest[record.input] = record

    def is_done(self, state: InputState, output: str) -> bool:
        """Whether ``state``'s input was enhanced into ``output`` (relative to OUT_DIR) before,
        is unchanged since, and the output is still there."""
        record = self.latest.get(state.path)
        return (record is not None and record.status == "done" and record.size == state.size
                and record.mtime == state.mtime and record.output == output
                and (self.out_dir / output).is_file())

    def knows(self, state: InputState) -> bool:
        """Whether any run handed this input to a worker (its output is then the manifest's)."""
        return state.path in self.latest

    def append(self, *records: Record) -> None:
        """Append ``records`` (stamped with the time) and sync them to disk."""
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S")
        lines = []
        for record in records:
            if not record.time:
                record = Record(**{**asdict(record), "time": stamp})
            self.latest[record.input] = record
            lines.append(json.dumps(asdict(record), ensure_ascii=False) + "\n")
        if _ends_mid_line(self.path):  # a line cut short by a crash must not swallow the next
            lines.insert(0, "\n")
        with open(self.path, "ab") as f:
            f.write("".join(lines).encode("utf-8"))
            f.flush()
            os.fsync(f.fileno())


def _ends_mid_line(path: Path) -> bool:
    if not path.is_file() or path.stat().st_size == 0:
        return False
    with open(path, "rb") as f:
        f.seek(-1, os.SEEK_END)
        return f.read(1) != b"\n"


def read_records(path: Path) -> list[Record]:
    """The records of a manifest file in order; unreadable lines (a crash's) are skipped."""
    if not path.is_file():
        return []
    known = {f.name for f in fields(Record)}
    records = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            data = json.loads(line)
            records.append(Record(**{k: v for k, v in data.items() if k in known}))
        except (ValueError, TypeError):
            continue
    return records
