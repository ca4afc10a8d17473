"""What sources and sinks are opened with (:mod:`llie_video.video.endpoints` opens them).

Apart from the endpoints themselves, so that a source or sink module can name its options
without importing the registry that imports it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from llie_video.video.encoders import EncoderSettings
from llie_video.video.live_options import StreamOptions, WebcamOptions


@dataclass(frozen=True)
class SourceOptions:
    """Everything a source may be opened with; each kind reads what concerns it.

    Attributes:
        stream: network streams' transport, timeouts and reconnection.
        webcam: the capture size and rate asked of a webcam.
        decoded_frames: hand YUV frames over as 4:2:0 planes (for a stage that
            ``prefers_planes``) instead of RGB.
    """

    stream: StreamOptions = field(default_factory=StreamOptions)
    webcam: WebcamOptions = field(default_factory=WebcamOptions)
    decoded_frames: bool = False


@dataclass(frozen=True)
class SinkOptions:
    """Everything a sink may be opened with.

    Attributes:
        encoder: the video encoder's settings.
        overwrite: replace an existing output file.
        transport: RTSP transport when publishing.
    """

    encoder: EncoderSettings = field(default_factory=EncoderSettings)
    overwrite: bool = False
    transport: Literal["tcp", "udp"] = "tcp"
