"""A real RTSP server on loopback for the tests: GStreamer's gst-rtsp-server serving a file.

Run with the system Python (Debian's python3-gi), not a virtual environment:

    /usr/bin/python3 tests/rtsp_server.py CLIP.mp4 PORT [--path /test]
    /usr/bin/python3 tests/rtsp_server.py --record OUT.ts PORT [--path /test]

The first serves the clip's H.264 (and AAC, if present) without re-encoding, once, at
rtsp://127.0.0.1:PORT/test. The second accepts a published H.264 + AAC stream (ANNOUNCE/RECORD,
as a media server does; H.264 alone with --no-audio) and writes the video to OUT.ts (MPEG-TS:
readable while it grows), the audio to OUT.ts.aac (ADTS). PORT 0 lets the system pick a free
port (no race with another process taking a port chosen beforehand). Either prints
"ready PORT" (the port it listens on) once listening, or "cannot listen", and runs until killed.
"""

import argparse
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("clip", nargs="?")
    parser.add_argument("--record", help="accept a published stream into this .ts file")
    parser.add_argument("port", type=int)
    parser.add_argument("--path", default="/test")
    parser.add_argument("--no-audio", action="store_true")
    args = parser.parse_args()
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(args.port))
    factory = GstRtspServer.RTSPMediaFactory()
    if args.record:
        factory.set_transport_mode(GstRtspServer.RTSPTransportMode.RECORD)
        # audio in a file of its own: mpegtsmux held the video back behind it
        audio = "" if args.no_audio else (
            " rtpmp4gdepay name=depay1 ! aacparse ! audio/mpeg,stream-format=adts ! "
            f"filesink buffer-mode=unbuffered location={args.record}.aac")
        factory.set_launch(
            f"( rtph264depay name=depay0 ! h264parse ! mpegtsmux ! "
            f"filesink location={args.record}{audio} )"
        )
    else:
        audio = "" if args.no_audio else " d.audio_0 ! queue ! aacparse ! rtpmp4gpay name=pay1 pt=97"
        factory.set_launch(
            f"( filesrc location={args.clip} ! qtdemux name=d d.video_0 ! queue ! h264parse ! "
            f"rtph264pay name=pay0 pt=96 config-interval=1{audio} )"
        )
    factory.set_shared(True)
    server.get_mount_points().add_factory(args.path, factory)
    if server.attach(None) == 0:
        print("cannot listen", flush=True)
        sys.exit(1)
    print(f"ready {server.get_bound_port()}", flush=True)
    GLib.MainLoop().run()


if __name__ == "__main__":
    main()
