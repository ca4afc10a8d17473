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


class RenderAhead:
    """One render thread, one pass at a time, in submission order. A pass runs on
    ``kernel_threads`` Numba threads (0: one per core), one fewer while the next frame is being
    estimated beside it (its frame was submitted before the one before was collected, as a file
    job does), so that the stage stays within the threads it was given; a live job collects each
    frame before it submits the next, and its passes get them all."""

    def __init__(self, kernel_threads: int) -> None:
        self._threads = min(kernel_threads or numba.config.NUMBA_NUM_THREADS,
                            numba.config.NUMBA_NUM_THREADS)
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="stage-render")
        self._last: RenderingFrame | None = None

    def submit(self, fused_pass: FusedPass) -> RenderingFrame:
        """Start ``fused_pass`` after the passes submitted before it."""
        beside = self._last is not None and not self._last.collected
        threads = max(1, self._threads - 1) if beside else self._threads
        self._last = RenderingFrame(self._executor.submit(_run, fused_pass, threads))
        return self._last

    def wait(self) -> None:
        """Return once the last pass submitted has finished (or failed: its error is raised
        where its frame is collected)."""
        if self._last is not None:
            wait([self._last.future])


def _run(fused_pass: FusedPass, threads: int) -> av.VideoFrame:
    numba.set_num_threads(threads)  # per calling thread: this one
    return fused_pass.run()


class RenderingFrame:
    """A frame whose fused pass is running on the render thread (a
    :class:`~llie_video.enhance.frames.PendingFrame`)."""

    def __init__(self, future: Future[av.VideoFrame]) -> None:
        self.future = future
        self.collected = False  # whether result() was called

    def result(self) -> av.VideoFrame:
        self.collected = True
        return self.future.result()
