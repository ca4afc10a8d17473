"""Optional dependencies: imported where used, with a one-line error naming the extra."""

from __future__ import annotations

import importlib
from typing import Any

from llie_video.errors import UserError


def require(module: str, extra: str) -> Any:
    """Import ``module``, or raise a UserError saying ``pip install 'llie-video[extra]'``."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise UserError(f"this needs {module}, which is not installed: "
                        f"pip install 'llie-video[{extra}]'") from None
