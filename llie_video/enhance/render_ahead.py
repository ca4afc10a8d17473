"""The fused pass on a thread of its own: frame t renders while the stage estimates frame t+1.

On the CPU the fused full-resolution pass (:class:`~llie_video.enhance.plane_render.FusedPass`)
and everything before it (spatial noise reduction, the small frame, the model's estimate, the
temporal analysis) take comparable time, one after the other on one thread. Given two threads,
the stage hands each frame's pass to this thread and returns at once; the pipeline keeps that
frame in flight (:attr:`llie_video.enhance.stage.EnhanceStage.overlap`) while it submits the
next, whose estimate then runs beside the pass. The next frame waits for the pass (:meth:`wait`)
only where it needs what the pass wrote: the previous planes its temporal filter blends with.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor, wait

import av
import numba

from llie_video.enhance.plane_render import FusedPass


def _use_kernel_threads(threads: int) -> None:
    """Numba's thread count is per calling thread: set it on the render thread itself."""
    if threads > 0:
        numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))


class RenderAhead:
    """One render thread, one pass at a time, in submission order; the kernel runs on
    ``kernel_threads`` Numba threads (0: one per core)."""

    def __init__(self, kernel_threads: int) -> None:
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="stage-render",
                                            initializer=_use_kernel_threads,
                                            initargs=(kernel_threads,))
        self._last: Future[av.VideoFrame] | None = None

    def submit(self, fused_pass: FusedPass) -> RenderingFrame:
        """Start ``fused_pass`` after the passes submitted before it."""
        self._last = self._executor.submit(fused_pass.run)
        return RenderingFrame(self._last)

    def wait(self) -> None:
        """Return once the last pass submitted has finished (or failed: its error is raised
        where its frame is collected)."""
        if self._last is not None:
            wait([self._last])


class RenderingFrame:
    """A frame whose fused pass is running on the render thread (a
    :class:`~llie_video.enhance.frames.PendingFrame`)."""

    def __init__(self, future: Future[av.VideoFrame]) -> None:
        self._future = future

    def result(self) -> av.VideoFrame:
        return self._future.result()
