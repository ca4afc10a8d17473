"""Live sources: network streams (RTSP/RTSPS/HTTP/RTMP/...) and webcams.

A live source stamps each frame with its arrival time (for latency figures) and puts its
timestamps on a live clock (1 ms units) that stays monotonic across reconnects (a restarted
camera or server restarts its own timestamps): a webcam's frames at their arrival; a stream's
frames and audio packets at their own timestamps, shifted per connection
(:class:`LiveTimeline`), so a recording keeps the stream's timing and its audio in sync. When a
stream fails, or a webcam disappears, the source reopens it with exponential backoff
(:class:`Reconnection`, the policy of :mod:`llie_video.video.live_options`), saying so in the
log and to its ``on_status`` listener (the preview's status bar); after a reconnect it yields a
:class:`Reset` marker, on which the enhance stage forgets its temporal state. Every open and read
has a timeout: a dead server never blocks forever.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable, Iterator
from fractions import Fraction
from typing import TYPE_CHECKING, TypeVar

import av
import cv2
import numpy as np

from llie_video.errors import UserError
from llie_video.video.frame import Frame, Reset, frame_pixels
from llie_video.video.kept_streams import CarriedStream
from llie_video.video.live_options import ReconnectPolicy, StreamOptions, WebcamOptions
from llie_video.video.sources import ClosingSource, StreamInfo, _reason, same_audio_format

if TYPE_CHECKING:
    from llie_video.video.endpoint_options import SourceOptions

log = logging.getLogger(__name__)

LIVE_TIME_BASE = Fraction(1, 1000)
WEBCAM_PREFIX = "webcam:"
# a track whose source time runs this far ahead of its arrival has jumped (a server's own
# buffering puts it at most a few seconds ahead)
MAX_AHEAD_S = 10.0

__all__ = ["LIVE_TIME_BASE", "LiveTimeline", "ReconnectPolicy", "Reconnection", "StreamOptions",
           "StreamSource", "WebcamOptions", "WebcamSource"]

T = TypeVar("T")


class Reconnection:
    """Opens a live source's connection, retrying under ``policy``; says each loss and wait to
    the log and to :attr:`on_status` (any thread may set it; it is called from the reading
    thread). :attr:`interrupted` ends a wait between attempts at once."""

    def __init__(self, name: str, policy: ReconnectPolicy) -> None:
        self.name = name
        self.policy = policy
        self.interrupted = threading.Event()
        self.on_status: Callable[[str], None] | None = None

    def say(self, text: str) -> None:
        """Report ``text`` (a loss, a wait, a reconnect)."""
        log.warning("%s", text)
        listener = self.on_status
        if listener is not None:
            listener(text)

    def open(self, opener: Callable[[], T], first: bool,
             errors: tuple[type[BaseException], ...]) -> T:
        """``opener()``, retried on ``errors`` with the policy's delays; a :class:`UserError`
        once they are spent, or when interrupted while waiting."""
        what = "open" if first else "reconnect to"
        delays = self.policy.delays()
        while True:
            try:
                return opener()
            except errors as exc:
                error = exc
            delay = next(delays, None)
            if delay is None:
                raise UserError(f"cannot {what} {self.name}: {_reason(error)}") from None
            self.say(f"{self.name}: {_reason(error)}; retrying in {delay:.1f} s")
            if self.interrupted.wait(delay):
                raise UserError(f"stopped while trying to {what} {self.name}")

    def lost(self, reason: str) -> bool:
        """The source was lost for ``reason``: True when it is to be reopened (said so), False
        when the policy allows no retry or the source was interrupted."""
        if self.policy.attempts == 0 or self.interrupted.is_set():
            return False
        self.say(f"{self.name}: {reason}; reconnecting")
        return True

    def reopen(self, opener: Callable[[], T], errors: tuple[type[BaseException], ...]) -> T | None:
        """Reopen after :meth:`lost`; None when interrupted meanwhile (the source just ends)."""
        try:
            opened = self.open(opener, first=False, errors=errors)
        except UserError:
            if self.interrupted.is_set():
                return None
            raise
        self.say(f"{self.name}: reconnected")
        return opened


class LiveTimeline:
    """Places a stream's tracks (``video``, ``audio``) on the live clock, in seconds since the
    stream's first arrival, keeping the stream's own timing.

    Within one connection a track's time is its source time plus an offset fixed by the
    connection's first item, so frames and audio packets keep their spacing and the sync the
    stream sent them with. A connection starts at the arrival clock, and never before the end of
    what was placed already: the clock stays monotonic across reconnects. A track whose source
    time runs backwards, or more than :data:`MAX_AHEAD_S` ahead of its arrival, is re-anchored
    on its own; an item without a timestamp is placed at its arrival.
    """

    def __init__(self) -> None:
        self._start: float | None = None
        self._last_pts = -1  # the latest frame's, in LIVE_TIME_BASE units
        self._connection: float | None = None  # the current connection's offset
        self._offsets: dict[str, float] = {}  # per track, in this connection
        self._last: dict[str, float] = {}  # the latest placed start, per track
        self._end = float("-inf")  # the latest end of anything placed

    def new_connection(self) -> None:
        """The next items come from a new connection (with timestamps of its own)."""
        self._connection = None
        self._offsets.clear()

    def offset(self, track: str, source_s: float | None, arrival: float,
               duration_s: float = 0.0) -> float:
        """Seconds to add to the source time ``source_s`` of an item of ``track`` that
        arrived at ``arrival`` (``time.monotonic()``) and lasts ``duration_s``; with no source
        time, the item's place is the offset itself."""
        if self._start is None:
            self._start = arrival
        now = arrival - self._start
        last = self._last.get(track, float("-inf"))
        if source_s is None:
            offset = placed = max(now, last)
        else:
            if self._connection is None:
                self._connection = max(now, self._end) - source_s
            offset = self._offsets.setdefault(track, self._connection)
            placed = source_s + offset
            if placed < last or placed - now > MAX_AHEAD_S:
                offset = max(now, self._end) - source_s
                self._offsets[track] = offset
                placed = source_s + offset
        self._last[track] = placed
        self._end = max(self._end, placed + duration_s)
        return offset

    def frame_pts(self, frame: av.VideoFrame | None, arrival: float) -> int:
        """A video frame's timestamp in :data:`LIVE_TIME_BASE` units (1 ms), above the previous
        frame's; with no ``frame`` (or no timestamp in it), from its arrival."""
        source_s = (float(frame.pts * frame.time_base)
                    if frame is not None and frame.pts is not None and frame.time_base else None)
        placed = self.offset("video", source_s, arrival) + (source_s or 0.0)
        self._last_pts = max(int(round(placed * 1000)), self._last_pts + 1)
        return self._last_pts

    def shift_packet(self, packet: av.Packet, arrival: float) -> av.Packet:
        """``packet`` (audio, with timestamps) moved onto the live clock, in its own time base."""
        time_base = packet.time_base
        duration_s = float(packet.duration * time_base) if packet.duration else 0.0
        shift = round(self.offset("audio", float(packet.pts * time_base), arrival, duration_s)
                      / time_base)
        packet.pts += shift
        packet.dts += shift
        return packet


class StreamSource(ClosingSource):
    """Decode a network stream with timeouts and automatic reconnection.

    Iterating yields :class:`Frame` objects, the stream's audio packets (unchanged but for
    their timestamps, see :class:`LiveTimeline`) and :class:`Reset` after a reconnect; it raises
    a :class:`UserError` when the stream cannot be (re)opened within the reconnect policy.
    Frames are converted to RGB unless ``decoded_frames``: then YUV frames are handed over as
    4:2:0 planes for the enhance stage's plane path (see
    :func:`llie_video.enhance.av_planes.as_plane_frame`). Audio from a connection whose audio differs from
    the first one's (a camera reconfigured while away) is left out, with a warning.
    """

    def __init__(self, url: str, options: StreamOptions | None = None,
                 decoded_frames: bool = False) -> None:
        self.name = url
        self.options = options or StreamOptions()
        self.decoded_frames = decoded_frames
        self.reconnection = Reconnection(url, self.options.reconnect)
        self.reconnects = 0
        self._timeline = LiveTimeline()
        self._frames_read = 0
        self._container = self.reconnection.open(self._open, True, (av.FFmpegError, OSError))
        video = self._container.streams.video[0]
        self._width, self._height = video.codec_context.width, video.codec_context.height
        first_audio = self._container.streams.audio
        self._audio = CarriedStream.of(first_audio[0]) if first_audio else None
        self._audio_template = self._audio.template if self._audio is not None else None

    @classmethod
    def from_spec(cls, spec: str, options: SourceOptions) -> StreamSource:
        """The registry's opener (:data:`llie_video.video.endpoints.SOURCES`)."""
        return cls(spec, options.stream, options.decoded_frames)

    def _open(self) -> av.container.InputContainer:
        opts = self.options
        av_options = {}
        if self.name.startswith(("rtsp://", "rtsps://")):
            av_options["rtsp_transport"] = opts.transport
        container = av.open(self.name, options=av_options,
                            timeout=(opts.open_timeout_s, opts.read_timeout_s))
        if not container.streams.video:
            container.close()
            raise UserError(f"{self.name} has no video stream")
        container.streams.video[0].thread_type = "AUTO"
        return container

    def info(self) -> StreamInfo:
        video = self._container.streams.video[0]
        rate = video.average_rate or video.guessed_rate
        return StreamInfo(width=self._width, height=self._height, time_base=LIVE_TIME_BASE,
                          rate=Fraction(rate) if rate else Fraction(30), frames=0,
                          streams=(self._audio,) if self._audio is not None else (),
                          name=self.name)

    def __iter__(self) -> Iterator[Frame | av.Packet | Reset]:
        while True:
            try:
                yield from self._connection_items()
                reason = "end of stream"
            except (av.FFmpegError, OSError) as exc:
                reason = _reason(exc)
            self._container.close()
            if not self.reconnection.lost(reason):
                if reason == "end of stream" or self.reconnection.interrupted.is_set():
                    return  # stopped on purpose, or a stream that ended without retries
                raise UserError(f"lost {self.name}: {reason}")
            container = self.reconnection.reopen(self._open, (av.FFmpegError, OSError))
            if container is None:
                return  # stopped on purpose: the stream just ends
            self._container = container
            self.reconnects += 1
            yield Reset()

    def _connection_items(self) -> Iterator[Frame | av.Packet]:
        """The current connection's frames and audio packets, on the live clock, in demux
        order."""
        self._timeline.new_connection()
        video = self._container.streams.video[0]
        streams = [video]
        audio = self._container.streams.audio[0] if self._container.streams.audio else None
        if audio is not None and self._audio_template is not None:
            if same_audio_format(self._audio_template, audio):
                streams.append(audio)
            else:
                log.warning("%s: the audio changed format on reconnecting; leaving it out",
                            self.name)
        for packet in self._container.demux(streams):
            if packet.stream.type == "audio":
                if packet.dts is not None and packet.pts is not None:
                    yield self._timeline.shift_packet(packet, time.monotonic())
                continue
            for decoded in packet.decode():
                arrival = time.monotonic()
                yield Frame(image=frame_pixels(decoded, self.decoded_frames),
                            pts=self._timeline.frame_pts(decoded, arrival),
                            time_base=LIVE_TIME_BASE, index=self._frames_read,
                            rotation=decoded.rotation, arrival=arrival)
                self._frames_read += 1

    def interrupt(self) -> None:
        """Stop reconnecting: a wait between attempts ends at once, and so does iteration (an
        open already under way still runs to its timeout)."""
        self.reconnection.interrupted.set()

    def close(self) -> None:
        self.reconnection.interrupted.set()
        self._container.close()


def webcam_input(device: str) -> tuple[str, str]:
    """PyAV's device name and input format for webcam ``device`` (an index or a device path)
    on this platform: v4l2 on Linux, avfoundation on macOS, dshow on Windows."""
    if sys.platform.startswith("linux"):
        return (f"/dev/video{device}" if device.isdigit() else device), "v4l2"
    if sys.platform == "darwin":
        return device, "avfoundation"
    if sys.platform.startswith("win"):
        return (device if device.startswith("video=") else f"video={device}"), "dshow"
    raise UserError(f"webcams are not supported on {sys.platform}")


def webcam_av_options(options: WebcamOptions) -> dict[str, str]:
    """FFmpeg device options for the requested size and rate."""
    av_options = {}
    if options.width and options.height:
        av_options["video_size"] = f"{options.width}x{options.height}"
    if options.fps:
        av_options["framerate"] = f"{options.fps:g}"
    return av_options


class WebcamSource(ClosingSource):
    """Frames from a webcam through PyAV, or through OpenCV when PyAV cannot open the device.
    With ``decoded_frames``, PyAV's YUV frames (yuyv422, or MJPEG's yuvj422p, as most webcams
    send) are handed over as 4:2:0 planes for the enhance stage's plane path; otherwise, and
    through OpenCV, as RGB. A webcam that stops delivering (unplugged, its driver reset) is
    reopened under the options' reconnect policy, with a :class:`Reset` after it."""

    def __init__(self, device: str, options: WebcamOptions | None = None,
                 decoded_frames: bool = False) -> None:
        self.name = f"{WEBCAM_PREFIX}{device}"
        self.device = device
        self.options = options or WebcamOptions()
        self.decoded_frames = decoded_frames
        self.reconnection = Reconnection(self.name, self.options.reconnect)
        self.reconnects = 0
        self._timeline = LiveTimeline()
        self._container: av.container.InputContainer | None = None
        self._capture: cv2.VideoCapture | None = None
        self._container, self._capture = self._open()

    def _open(self) -> tuple[av.container.InputContainer | None, cv2.VideoCapture | None]:
        """The device opened through PyAV, else through OpenCV; a :class:`UserError` when
        neither opens it."""
        path, input_format = webcam_input(self.device)
        try:
            return av.open(path, format=input_format, options=webcam_av_options(self.options),
                           timeout=(5.0, 5.0)), None
        except (av.FFmpegError, OSError) as exc:
            cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)  # our error says it
            device = self.device
            capture = cv2.VideoCapture(int(device)) if device.isdigit() else cv2.VideoCapture(path)
            if not capture.isOpened():
                raise UserError(f"cannot open webcam {device} ({path}): {_reason(exc)}") from None
            self._configure_opencv(capture)
            return None, capture

    @classmethod
    def from_spec(cls, spec: str, options: SourceOptions) -> WebcamSource:
        """The registry's opener for ``webcam:N`` (N: an index or a device path; default 0)."""
        return cls(spec[len(WEBCAM_PREFIX):] or "0", options.webcam, options.decoded_frames)

    def _configure_opencv(self, capture: cv2.VideoCapture) -> None:
        if self.options.width and self.options.height:
            capture.set(cv2.CAP_PROP_FRAME_WIDTH, self.options.width)
            capture.set(cv2.CAP_PROP_FRAME_HEIGHT, self.options.height)
        if self.options.fps:
            capture.set(cv2.CAP_PROP_FPS, self.options.fps)

    def info(self) -> StreamInfo:
        if self._container is not None:
            codec = self._container.streams.video[0].codec_context
            width, height = codec.width, codec.height
        else:
            assert self._capture is not None
            width = int(self._capture.get(cv2.CAP_PROP_FRAME_WIDTH))
            height = int(self._capture.get(cv2.CAP_PROP_FRAME_HEIGHT))
        rate = Fraction(self.options.fps or 30).limit_denominator(1001)
        return StreamInfo(width=width, height=height, time_base=LIVE_TIME_BASE, rate=rate,
                          frames=0, streams=(), name=self.name)

    def __iter__(self) -> Iterator[Frame | Reset]:
        index = 0
        while True:
            try:
                for pixels in self._read():
                    arrival = time.monotonic()
                    yield Frame(image=pixels, pts=self._timeline.frame_pts(None, arrival),
                                time_base=LIVE_TIME_BASE, index=index, arrival=arrival)
                    index += 1
                reason = "the camera stopped delivering frames"
            except (av.FFmpegError, OSError, UserError) as exc:
                reason = _reason(exc)
            self._release()
            if not self.reconnection.lost(reason):
                if self.reconnection.interrupted.is_set():
                    return
                raise UserError(f"lost {self.name}: {reason}")
            opened = self.reconnection.reopen(self._open, (UserError,))
            if opened is None:
                return
            self._container, self._capture = opened
            self.reconnects += 1
            yield Reset()

    def _read(self) -> Iterator[av.VideoFrame | np.ndarray]:
        if self._container is not None:
            for decoded in self._container.decode(video=0):
                yield frame_pixels(decoded, self.decoded_frames)
            return
        assert self._capture is not None
        while True:
            ok, bgr = self._capture.read()
            if not ok:
                raise UserError("the camera stopped delivering frames")
            yield cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)

    def interrupt(self) -> None:
        """Stop reopening a lost webcam (a wait between attempts ends at once)."""
        self.reconnection.interrupted.set()

    def close(self) -> None:
        self.reconnection.interrupted.set()
        self._release()

    def _release(self) -> None:
        if self._container is not None:
            self._container.close()
            self._container = None
        if self._capture is not None:
            self._capture.release()
            self._capture = None

