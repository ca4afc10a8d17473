"""Helpers shared by the test modules: real clips, real pipeline parts, a real RTSP server on
loopback, waits on conditions. Import them as ``from tests.helpers.clips import write_clip``;
fixtures built on them live in ``tests/conftest.py``."""
