"""Numba, set up for the package's compiled kernels: import ``njit`` and ``prange`` from here.

Importing this module before any kernel compiles lets LLVM use the CPU's full vector width. On
CPUs with AVX-512, LLVM's tuning prefers 256-bit vectors (some early AVX-512 cores lowered
their clock for 512-bit arithmetic); the fused 4:2:0 pass is arithmetic-bound, and with
512-bit vectors it took 0.78x the time of the 256-bit build on this project's 2-core Xeon
(Emerald Rapids; both builds on a recorded 1080p frame, run at the same time on the two cores,
swapped and repeated: ``docs/performance.md``).

The choice goes through ``NUMBA_CPU_FEATURES`` (the host's features plus ``-prefer-256-bit``),
so that Numba's on-disk cache keys the code by it and worker processes inherit it. It is left
alone when the user set ``NUMBA_CPU_FEATURES`` or ``NUMBA_CPU_NAME`` or disabled AVX, when the
CPU has no AVX-512, and when ``LLIE_VIDEO_VECTOR_WIDTH=256`` asks for the narrower vectors. It
has no effect where Numba compiled something earlier in the process (its code generator keeps
the features it started with): the kernels then run with 256-bit vectors, as before.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import numba
from numba import njit, prange

__all__ = ["njit", "prange", "wide_vectors_requested"]

_FEATURES = "NUMBA_CPU_FEATURES"
_OPT_OUT = "LLIE_VIDEO_VECTOR_WIDTH"


def wide_vectors_requested(environ: Mapping[str, str], host_features: Mapping[str, bool],
                           avx_enabled: bool) -> str | None:
    """The ``NUMBA_CPU_FEATURES`` value that asks for 512-bit vectors, or None where the
    environment already decides, the user opted out, AVX is disabled or the CPU lacks AVX-512.
    ``host_features`` maps LLVM feature names (``"avx512f"``) to whether the CPU has them."""
    if _FEATURES in environ or "NUMBA_CPU_NAME" in environ or not avx_enabled:
        return None
    if environ.get(_OPT_OUT, "").strip() == "256" or not host_features.get("avx512f", False):
        return None
    flags = ",".join(("+" if present else "-") + name for name, present in host_features.items())
    return flags + ",-prefer-256-bit"


def _prefer_wide_vectors() -> None:
    import llvmlite.binding as llvm

    try:
        host = dict(llvm.get_host_cpu_features())
    except RuntimeError:  # LLVM cannot tell on this host
        return
    features = wide_vectors_requested(os.environ, host, bool(numba.config.ENABLE_AVX))
    if features is not None:
        os.environ[_FEATURES] = features
        numba.config.reload_config()


_prefer_wide_vectors()
