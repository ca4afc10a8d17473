"""The batch engines by name (``llie-video batch --engine NAME``).

A new engine is a :class:`~llie_video.batch.engine.BatchEngine` subclass in its own module and
one registration line here.
"""

from __future__ import annotations

from llie_video.batch.engine import BatchEngine
from llie_video.batch.local import LocalEngine
from llie_video.batch.ray_engine import RayEngine
from llie_video.registry import Registry

ENGINES: Registry[type[BatchEngine]] = Registry("batch engine")
ENGINES.register("local", LocalEngine)
ENGINES.register("ray", RayEngine)
