"""How live sources are opened and kept: timeouts and the reconnect policy, shared by the CLI's
live job and the preview (one definition, so both ride out a lost source alike). Light on
imports: the CLI's options take their defaults from here."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True)
class ReconnectPolicy:
    """How a lost stream or webcam is retried: ``attempts`` tries (0: never), waiting
    ``interval_s``, multiplied by ``backoff`` after each failure, at most ``max_interval_s``."""

    attempts: int = 5
    interval_s: float = 1.0
    backoff: float = 2.0
    max_interval_s: float = 10.0

    def delays(self) -> Iterator[float]:
        delay = self.interval_s
        for _ in range(self.attempts):
            yield delay
            delay = min(delay * self.backoff, self.max_interval_s)


@dataclass(frozen=True)
class StreamOptions:
    """Network stream options: transport for RTSP, open and read timeouts, reconnection."""

    transport: Literal["tcp", "udp"] = "tcp"
    open_timeout_s: float = 5.0
    read_timeout_s: float = 5.0
    reconnect: ReconnectPolicy = field(default_factory=ReconnectPolicy)


@dataclass(frozen=True)
class WebcamOptions:
    """Capture size and rate asked of a webcam (the device may pick the nearest it supports),
    and how it is retried when it disappears."""

    width: int | None = None
    height: int | None = None
    fps: float | None = None
    reconnect: ReconnectPolicy = field(default_factory=ReconnectPolicy)
