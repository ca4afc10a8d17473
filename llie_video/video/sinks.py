"""Video sinks: encode enhanced frames and carry the input's other tracks (audio, subtitles),
chapters and metadata, into a file written safely.

The file is written under a temporary name in the target folder and renamed over the target only
when :meth:`FileSink.close` finishes, so a failed run never leaves a half-written or clobbered file.
"""

from __future__ import annotations

import logging
import os
from dataclasses import replace
from pathlib import Path

import av

from llie_video.errors import UserError
from llie_video.output_paths import partial_path
from llie_video.video.encoder_probe import check_encoder
from llie_video.video.encoders import EncoderSettings, VideoPlan, input_bits, plan_video, quiet_banner
from llie_video.video.frame import Frame
from llie_video.video.pipeline import StageError
from llie_video.video.sources import StreamInfo, _reason
from llie_video.video.stream_routes import StreamCarrier

__all__ = ["EncoderSettings", "EncodingSink", "FileSink", "NullSink", "StreamSink"]

log = logging.getLogger(__name__)

# What FFmpeg's RGB -> YUV conversion of RGB frames produces: BT.601 matrix, limited range.
_BT601_SPACE, _LIMITED_RANGE = 6, 1


def _tag_colours(codec: av.video.codeccontext.VideoCodecContext, frame: Frame) -> None:
    """Tag the output with the colour matrix and range its YUV samples are in: those of the
    frames the plane path writes (the input's own tags, kept), or BT.601 limited for RGB frames
    (FFmpeg's conversion), so that players decode the colours as they were encoded."""
    decoded = frame.decoded
    if decoded is None:
        codec.colorspace, codec.color_range = _BT601_SPACE, _LIMITED_RANGE
        return
    codec.colorspace, codec.color_range = decoded.colorspace, decoded.color_range
    codec.color_primaries, codec.color_trc = decoded.color_primaries, decoded.color_trc


def video_plan(info: StreamInfo, encoder: EncoderSettings) -> VideoPlan:
    """What to encode ``info``'s video with (a UserError if ``encoder`` cannot write it)."""
    return plan_video(encoder, input_bits(info.pix_fmt), bool(info.width % 2 or info.height % 2),
                      float(info.rate) if info.rate else None)


def checked_plan(info: StreamInfo, encoder: EncoderSettings) -> VideoPlan:
    """:func:`video_plan`, its encoder tried on a tiny frame: a UserError, in one line, when it
    cannot run here."""
    plan = video_plan(info, encoder)
    check_encoder(plan)
    return plan


class EncodingSink:
    """Encode frames and carry the kept streams into an output container opened by a subclass.

    The encoder is planned (pixel format, options) and tried on a tiny frame when the sink is
    made, before any decoding; streams are created when the first frame arrives (its size and
    rotation decide the encoder setup); packets of the kept streams arriving before it are held
    back and muxed after.
    """

    def __init__(self, container: av.container.OutputContainer, name: str, info: StreamInfo,
                 encoder: EncoderSettings, plan: VideoPlan) -> None:
        self.container = container
        self.name = name
        self.info = info
        self.encoder = encoder
        self.plan = plan
        self.video: av.video.stream.VideoStream | None = None
        self.carrier: StreamCarrier | None = None
        self._pending: list[av.Packet] = []
        self.frames_written = 0
        self._closed = False

    @property
    def bit_depth(self) -> int:
        """Bits per sample of the video written (8 or 10): what the enhance stage should render."""
        return self.plan.bit_depth

    def _open_video(self, frame: Frame) -> None:
        height, width = frame.size
        if (height, width) != (self.info.height, self.info.width):
            resized = replace(self.info, height=height, width=width)
            self.plan = replace(self.plan, pix_fmt=video_plan(resized, self.encoder).pix_fmt)
        plan = self.plan
        quiet_banner(plan)
        try:
            stream = self.container.add_stream(plan.codec, rate=self.info.rate)
        except (av.FFmpegError, ValueError) as exc:
            raise UserError(f"cannot use video codec {plan.codec!r}: {_reason(exc)}") from None
        stream.width, stream.height = width, height
        stream.pix_fmt = plan.pix_fmt
        stream.time_base = self.info.time_base
        stream.codec_context.time_base = self.info.time_base
        # frame threading is much faster; slice threading adds no delay (live)
        stream.thread_type = "SLICE" if self.encoder.zero_latency else "AUTO"
        stream.options = dict(plan.options)
        if frame.rotation:
            stream.set_display_rotation(frame.rotation)
        _tag_colours(stream.codec_context, frame)
        self.info.tags.write(self.container, stream)
        self.video = stream
        self.carrier = StreamCarrier(self.container, self.info.streams, self.name)

    def write_audio(self, packet: av.Packet) -> None:
        """Mux a packet of a kept input stream (audio or subtitles: unchanged, or converted
        where the container needs it)."""
        if self.carrier is None:
            self._pending.append(packet)
            return
        for out in self.carrier.write(packet):
            self.container.mux(out)

    def write_video(self, frame: Frame) -> None:
        """Encode one enhanced frame (with the input frame's ``pts``/``time_base``)."""
        if self.video is None:
            self._open_video(frame)
            pending, self._pending = self._pending, []
            for packet in pending:
                self.write_audio(packet)
        assert self.video is not None
        for packet in self.video.encode(frame.to_av()):
            self.container.mux(packet)
        self.frames_written += 1

    def finish(self, flush: bool) -> None:
        """Flush the encoders (if ``flush``) and close the container."""
        if flush and self.video is not None:
            for packet in self.video.encode(None):
                self.container.mux(packet)
            if self.carrier is not None:
                for packet in self.carrier.flush():
                    self.container.mux(packet)
        self.container.close()


class FileSink(EncodingSink):
    """Encode into the file ``target`` via a temporary file renamed over it on success."""

    def __init__(self, target: Path, info: StreamInfo, encoder: EncoderSettings) -> None:
        plan = checked_plan(info, encoder)
        self.target = target
        self.temp = partial_path(target)
        try:
            container = av.open(str(self.temp), "w")
        except (av.FFmpegError, ValueError) as exc:
            raise UserError(f"cannot write {target}: {_reason(exc)}") from None
        super().__init__(container, target.suffix or str(target), info, encoder, plan)

    def close(self, keep: bool = True) -> None:
        """Finish the file; rename it over the target if ``keep`` and at least one frame was
        written, else delete the temporary file. When the file cannot be finished (FFmpeg
        reports a full disk on the last writes, at the latest when closing), it is deleted and
        the failure raised as the encode stage's :class:`StageError`; when it is being
        discarded (after another error, which is the one to report), the failure is ignored."""
        if self._closed:
            return
        self._closed = True
        try:
            self.finish(flush=keep)
        except (av.FFmpegError, OSError) as exc:
            self.temp.unlink(missing_ok=True)
            if keep:
                raise StageError("encode", exc) from exc
            return
        except Exception:
            self.temp.unlink(missing_ok=True)
            raise
        if keep and self.frames_written:
            os.replace(self.temp, self.target)
        else:
            self.temp.unlink(missing_ok=True)


# Output formats for stream URLs, by scheme.
STREAM_FORMATS = {"rtsp": "rtsp", "rtsps": "rtsp", "rtmp": "flv", "rtmps": "flv", "udp": "mpegts",
                  "srt": "mpegts", "tcp": "mpegts"}


class StreamSink(EncodingSink):
    """Publish to a media server: RTSP (ANNOUNCE/RECORD, as ffmpeg does), RTMP, UDP/SRT."""

    def __init__(self, url: str, info: StreamInfo, encoder: EncoderSettings,
                 transport: str = "tcp") -> None:
        plan = checked_plan(info, encoder)
        scheme = url.partition("://")[0].lower()
        if scheme not in STREAM_FORMATS:
            raise UserError(f"cannot publish to {url}: use one of {', '.join(sorted(STREAM_FORMATS))}")
        options = {"rtsp_transport": transport} if STREAM_FORMATS[scheme] == "rtsp" else {}
        try:
            container = av.open(url, "w", format=STREAM_FORMATS[scheme], options=options,
                                timeout=(10.0, 10.0))
        except (av.FFmpegError, OSError) as exc:
            raise UserError(f"cannot publish to {url}: {_reason(exc)}") from None
        super().__init__(container, url, info, encoder, plan)

    def close(self, keep: bool = True) -> None:
        """Flush and end the stream (``keep`` is accepted for symmetry with FileSink)."""
        if not self._closed:
            self._closed = True
            self.finish(flush=True)


class NullSink:
    """Discards frames (for measuring); counts them."""

    bit_depth = 8

    def __init__(self) -> None:
        self.frames_written = 0

    def write_video(self, frame: Frame) -> None:
        self.frames_written += 1

    def write_audio(self, packet: av.Packet) -> None:
        pass

    def close(self, keep: bool = True) -> None:
        pass
