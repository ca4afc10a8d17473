"""How each kept input stream goes into an output container: remuxed packet for packet where the
container holds its codec; audio transcoded to AAC where it does not (PCM in MP4 plays almost
nowhere, so it is transcoded too); text subtitles converted to the container's text format
(SRT/ASS to mov_text in MP4, mov_text to SRT in Matroska); anything else left out with a
one-line warning.
"""

from __future__ import annotations

import logging
from fractions import Fraction
from typing import Protocol

import av

from llie_video.video.kept_streams import CarriedStream

log = logging.getLogger(__name__)

# Audio codecs that MP4/MOV players do not play even where the muxer writes them; transcoded.
_MP4_UNPLAYABLE_AUDIO = ("pcm_", "adpcm_", "vorbis", "wmav", "cook", "ra_")
# Text subtitle formats, in the order they are tried for a container that cannot hold the input's.
_TEXT_SUBTITLES = ("mov_text", "subrip", "ass", "webvtt")
# Muxers whose codec tables FFmpeg can be asked about (``supported_codecs``); others (MPEG-TS,
# RTSP) answer "don't know" for most codecs: their audio is remuxed as it is, and the muxer
# takes it or says so.
_QUERYABLE = ("mp4", "mov", "ipod", "3gp", "3g2", "ismv", "f4v", "psp", "matroska", "webm",
              "flv", "avi", "nut")


class Route(Protocol):
    """One kept stream's way into the output."""

    def write(self, packet: av.Packet) -> list[av.Packet]:
        """The packets to mux for an input packet of the stream."""
        ...

    def flush(self) -> list[av.Packet]:
        """What is left at the end."""
        ...


class Remux:
    """Packets copied unchanged into a stream made from the input's parameters."""

    def __init__(self, container: av.container.OutputContainer, kept: CarriedStream) -> None:
        self.stream = container.add_stream_from_template(kept.template)
        _label(self.stream, kept)

    def write(self, packet: av.Packet) -> list[av.Packet]:
        packet.stream = self.stream
        return [packet]

    def flush(self) -> list[av.Packet]:
        return []


class AudioToAac:
    """Input audio packets decoded and encoded as AAC."""

    def __init__(self, container: av.container.OutputContainer, kept: CarriedStream) -> None:
        source = kept.template.codec_context
        self.decoder = av.CodecContext.create(source.name, "r")
        self.decoder.sample_rate, self.decoder.layout = source.sample_rate, source.layout
        self.decoder.extradata = source.extradata
        rate = source.sample_rate or 48000
        self.stream = container.add_stream("aac", rate=rate)
        # the AAC encoder needs a named layout; PCM streams often carry only a channel count
        self.stream.layout = {1: "mono", 2: "stereo"}.get(source.channels, source.layout.name)
        self.stream.time_base = Fraction(1, rate)
        _label(self.stream, kept)

    def write(self, packet: av.Packet) -> list[av.Packet]:
        out: list[av.Packet] = []
        for frame in self.decoder.decode(packet):
            frame.pts = None
            out.extend(self.stream.encode(frame))
        return out

    def flush(self) -> list[av.Packet]:
        return list(self.stream.encode(None))


class TextSubtitles:
    """Text subtitles decoded and encoded in another text format (``codec``), each keeping the
    time and duration of its input packet."""

    def __init__(self, container: av.container.OutputContainer, kept: CarriedStream,
                 codec: str) -> None:
        self.decoder = av.CodecContext.create(kept.codec, "r")
        self.decoder.extradata = kept.template.codec_context.extradata  # an ASS header
        self.decoder.open()
        self.stream = container.add_stream(codec)
        self.stream.codec_context.subtitle_header = self.decoder.subtitle_header
        self.stream.codec_context.time_base = Fraction(1, 1000)
        self.stream.time_base = kept.template.time_base
        _label(self.stream, kept)

    def write(self, packet: av.Packet) -> list[av.Packet]:
        subtitles = self.decoder.decode2(packet)
        if subtitles is None:
            return []
        out = self.stream.codec_context.encode_subtitle(subtitles)
        out.pts, out.dts, out.duration = packet.pts, packet.pts, packet.duration
        out.time_base = packet.time_base
        out.stream = self.stream
        return [out]

    def flush(self) -> list[av.Packet]:
        return []


def _label(stream: av.stream.Stream, kept: CarriedStream) -> None:
    """Give an output stream the input stream's tags and disposition."""
    stream.metadata.update(kept.metadata)
    stream.disposition = kept.disposition


def _is_text_subtitle(codec: str) -> bool:
    return bool(av.Codec(codec, "r").text_sub)


def route_for(container: av.container.OutputContainer, supported: set[str],
              kept: CarriedStream, name: str) -> Route | None:
    """How ``kept`` goes into ``container`` (which holds the codecs ``supported``, where it can
    be asked), or None (left out, with a warning); ``name`` names the output in messages."""
    formats = container.format.name.split(",")
    mp4 = any(f in ("mp4", "mov") for f in formats)
    if not any(f in _QUERYABLE for f in formats):
        if kept.kind == "audio":
            return Remux(container, kept)
    elif kept.kind == "audio":
        unplayable = mp4 and kept.codec.startswith(_MP4_UNPLAYABLE_AUDIO)
        if kept.codec in supported and not unplayable:
            return Remux(container, kept)
        if "aac" in supported:
            log.warning("%s cannot go into %s; transcoding it to AAC", kept.describe(), name)
            return AudioToAac(container, kept)
    elif kept.codec in supported:
        return Remux(container, kept)
    elif _is_text_subtitle(kept.codec):
        target = next((c for c in _TEXT_SUBTITLES if c in supported), None)
        if target is not None:
            return TextSubtitles(container, kept, target)
    log.warning("%s cannot go into %s; left out (Matroska holds it: write .mkv)",
                kept.describe(), name)
    return None


class StreamCarrier:
    """Every kept stream's route into one output container; packets are routed by their
    input stream's index (a packet of an index not kept, which only a live source that
    reconnected sends, with its first audio track's packets, goes to the first audio route)."""

    def __init__(self, container: av.container.OutputContainer,
                 streams: tuple[CarriedStream, ...], name: str) -> None:
        supported = container.supported_codecs if streams else set()
        self.routes: dict[int, Route] = {}
        self._known = {kept.index for kept in streams}
        self._first_audio: Route | None = None
        for kept in streams:
            route = route_for(container, supported, kept, name)
            if route is None:
                continue
            self.routes[kept.index] = route
            if kept.kind == "audio" and self._first_audio is None:
                self._first_audio = route

    def write(self, packet: av.Packet) -> list[av.Packet]:
        """The packets to mux for an input packet (none for a stream left out)."""
        index = packet.stream_index  # (its stream may belong to a source closed since)
        if index not in self._known:
            route = self._first_audio
        else:
            route = self.routes.get(index)
        return route.write(packet) if route is not None else []

    def flush(self) -> list[av.Packet]:
        """What the transcoding routes hold at the end."""
        return [packet for route in self.routes.values() for packet in route.flush()]
