"""The kernels' Numba set-up: 512-bit vectors asked for only where the CPU and the user allow."""

import os
import subprocess
import sys

import llvmlite.binding as llvm
import pytest

from llie_video.ops.jit import wide_vectors_requested

AVX512 = {"avx2": True, "avx512f": True, "sse4a": False}


def test_asks_for_wide_vectors_on_an_avx512_cpu() -> None:
    features = wide_vectors_requested({}, AVX512, avx_enabled=True)
    assert features == "+avx2,+avx512f,-sse4a,-prefer-256-bit"


@pytest.mark.parametrize("environ", [
    {"NUMBA_CPU_FEATURES": "+avx2"},  # the user's own features win
    {"NUMBA_CPU_NAME": "generic"},
    {"LLIE_VIDEO_VECTOR_WIDTH": "256"},  # the opt-out
])
def test_leaves_the_users_choice_alone(environ: dict[str, str]) -> None:
    assert wide_vectors_requested(environ, AVX512, avx_enabled=True) is None


def test_nothing_without_avx512_or_with_avx_disabled() -> None:
    assert wide_vectors_requested({}, {"avx2": True, "avx512f": False}, avx_enabled=True) is None
    assert wide_vectors_requested({}, AVX512, avx_enabled=False) is None


def _features_in_a_fresh_process(**environ: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("NUMBA_CPU_FEATURES", "NUMBA_CPU_NAME")}
    env.update(environ)
    code = ("from llie_video.ops import fused_yuv\n"
            "from numba.core.registry import cpu_target\n"
            "print(cpu_target.target_context.codegen()._tm_features)")
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                            text=True, check=True)
    return result.stdout.strip()


@pytest.mark.skipif(not llvm.get_host_cpu_features().get("avx512f", False),
                    reason="this CPU has no AVX-512")
def test_importing_the_kernels_sets_numbas_code_generator() -> None:
    assert _features_in_a_fresh_process().endswith("-prefer-256-bit")
    assert "prefer-256-bit" not in _features_in_a_fresh_process(LLIE_VIDEO_VECTOR_WIDTH="256")
