"""Video sinks: encode enhanced frames and remux the input's audio, into a file written safely.

The file is written under a temporary name in the target folder and renamed over the target only
when :meth:`FileSink.close` finishes, so a failed run never leaves a half-written or clobbered file.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av

from llie_video.errors import UserError
from llie_video.output_paths import partial_path
from llie_video.video.frame import Frame
from llie_video.video.pipeline import StageError
from llie_video.video.sources import StreamInfo, _reason

log = logging.getLogger(__name__)

# Audio codecs the MP4/MOV muxers cannot hold; they are transcoded to AAC.
_MP4_UNSUPPORTED_AUDIO = ("pcm_", "adpcm_", "vorbis", "wmav", "cook", "ra_")


@dataclass(frozen=True)
class EncoderSettings:
    """Video encoder options.

    Attributes:
        codec: an FFmpeg encoder name (``libx264``, ``libx265``, ``libvpx-vp9``, ``mpeg4`` ...).
        crf: constant rate factor (quality; lower is better) for encoders that take one.
        preset: encoder speed preset for x264/x265.
        pix_fmt: output pixel format; ``None`` picks yuv420p, or yuv444p for odd sizes.
        zero_latency: live output: x264/x265 ``tune=zerolatency`` (no B-frames, no lookahead,
            sliced threads) so each frame leaves the encoder at once.
    """

    codec: str = "libx264"
    crf: int = 20
    preset: str = "veryfast"
    pix_fmt: str | None = None
    zero_latency: bool = False

    def __post_init__(self) -> None:
        if not 0 <= self.crf <= 63:
            raise ValueError(f"crf must be within 0..63, got {self.crf}")

    def check(self) -> None:
        """Raise a UserError now if FFmpeg has no such encoder (streams are made lazily)."""
        try:
            codec = av.Codec(self.codec, "w")
        except (av.FFmpegError, ValueError):
            raise UserError(f"unknown video codec {self.codec!r}: this FFmpeg has no such encoder") from None
        if codec.type != "video":
            raise UserError(f"{self.codec!r} is not a video encoder")


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


class EncodingSink:
    """Encode frames and mux audio into an output container opened by a subclass.

    Streams are created when the first frame arrives (its size and rotation decide the encoder
    setup); audio packets arriving before it are held back and muxed after.
    """

    def __init__(self, container: av.container.OutputContainer, name: str, info: StreamInfo,
                 encoder: EncoderSettings) -> None:
        self.container = container
        self.name = name
        self.info = info
        self.encoder = encoder
        self.video: av.video.stream.VideoStream | None = None
        self.audio_out: av.stream.Stream | None = None
        self.audio_transcoder: _AudioTranscoder | None = None
        self._pending_audio: list[av.Packet] = []
        self.frames_written = 0
        self._closed = False

    def _open_video(self, frame: Frame) -> None:
        enc = self.encoder
        try:
            stream = self.container.add_stream(enc.codec, rate=self.info.rate)
        except (av.FFmpegError, ValueError) as exc:
            raise UserError(f"cannot use video codec {enc.codec!r}: {_reason(exc)}") from None
        height, width = frame.size
        stream.width, stream.height = width, height
        odd = width % 2 or height % 2
        stream.pix_fmt = enc.pix_fmt or ("yuv444p" if odd else "yuv420p")
        stream.time_base = self.info.time_base
        stream.codec_context.time_base = self.info.time_base
        # frame threading is much faster; slice threading adds no delay (live)
        stream.thread_type = "SLICE" if enc.zero_latency else "AUTO"
        options = {}
        if enc.codec in ("libx264", "libx265"):
            options = {"crf": str(enc.crf), "preset": enc.preset}
            if enc.zero_latency:
                options |= {"tune": "zerolatency", "g": str(max(1, round(float(self.info.rate or 30))))}
        elif enc.codec.startswith("libvpx") or enc.codec.startswith("libaom"):
            options = {"crf": str(enc.crf), "b": "0"}
        stream.options = options
        if frame.rotation:
            stream.set_display_rotation(frame.rotation)
        _tag_colours(stream.codec_context, frame)
        self.video = stream
        self._open_audio()

    def _open_audio(self) -> None:
        audio = self.info.audio
        if audio is None:
            return
        container_format = self.container.format.name
        needs_transcode = any(audio.codec_context.name.startswith(p) for p in _MP4_UNSUPPORTED_AUDIO)
        if needs_transcode and ("mp4" in container_format or "mov" in container_format):
            log.warning("audio %s cannot go into %s; transcoding it to AAC",
                        audio.codec_context.name, self.name)
            self.audio_transcoder = _AudioTranscoder(self.container, audio)
            self.audio_out = self.audio_transcoder.stream
        else:
            self.audio_out = self.container.add_stream_from_template(audio)

    def write_audio(self, packet: av.Packet) -> None:
        """Mux an input audio packet (unchanged, or transcoded where the container needs it)."""
        if self.video is None:
            self._pending_audio.append(packet)
            return
        if self.audio_transcoder is not None:
            for out in self.audio_transcoder.encode(packet):
                self.container.mux(out)
            return
        if self.audio_out is not None:
            packet.stream = self.audio_out
            self.container.mux(packet)

    def write_video(self, frame: Frame) -> None:
        """Encode one enhanced frame (with the input frame's ``pts``/``time_base``)."""
        if self.video is None:
            self._open_video(frame)
            pending, self._pending_audio = self._pending_audio, []
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
            if self.audio_transcoder is not None:
                for packet in self.audio_transcoder.flush():
                    self.container.mux(packet)
        self.container.close()


class FileSink(EncodingSink):
    """Encode into the file ``target`` via a temporary file renamed over it on success."""

    def __init__(self, target: Path, info: StreamInfo, encoder: EncoderSettings) -> None:
        encoder.check()
        self.target = target
        self.temp = partial_path(target)
        try:
            container = av.open(str(self.temp), "w")
        except (av.FFmpegError, ValueError) as exc:
            raise UserError(f"cannot write {target}: {_reason(exc)}") from None
        super().__init__(container, target.suffix or str(target), info, encoder)

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
        encoder.check()
        scheme = url.partition("://")[0].lower()
        if scheme not in STREAM_FORMATS:
            raise UserError(f"cannot publish to {url}: use one of {', '.join(sorted(STREAM_FORMATS))}")
        options = {"rtsp_transport": transport} if STREAM_FORMATS[scheme] == "rtsp" else {}
        try:
            container = av.open(url, "w", format=STREAM_FORMATS[scheme], options=options,
                                timeout=(10.0, 10.0))
        except (av.FFmpegError, OSError) as exc:
            raise UserError(f"cannot publish to {url}: {_reason(exc)}") from None
        super().__init__(container, url, info, encoder)

    def close(self, keep: bool = True) -> None:
        """Flush and end the stream (``keep`` is accepted for symmetry with FileSink)."""
        if not self._closed:
            self._closed = True
            self.finish(flush=True)


class NullSink:
    """Discards frames (for measuring); counts them."""

    def __init__(self) -> None:
        self.frames_written = 0

    def write_video(self, frame: Frame) -> None:
        self.frames_written += 1

    def write_audio(self, packet: av.Packet) -> None:
        pass

    def close(self, keep: bool = True) -> None:
        pass


class _AudioTranscoder:
    """Decode input audio packets and encode them as AAC (for codecs MP4 cannot hold)."""

    def __init__(self, container: av.container.OutputContainer, source: av.audio.stream.AudioStream) -> None:
        self.source = source
        rate = source.codec_context.sample_rate or 48000
        self.stream = container.add_stream("aac", rate=rate)
        channels = source.codec_context.channels
        # the AAC encoder needs a named layout; PCM streams often carry only a channel count
        self.stream.layout = {1: "mono", 2: "stereo"}.get(channels, source.codec_context.layout.name)
        self.stream.time_base = Fraction(1, rate)

    def encode(self, packet: av.Packet) -> list[av.Packet]:
        out: list[av.Packet] = []
        for frame in self.source.codec_context.decode(packet):
            frame.pts = None
            out.extend(self.stream.encode(frame))
        return out

    def flush(self) -> list[av.Packet]:
        return list(self.stream.encode(None))
