"""Frames in flight between the host and a device: plane uploads and downloads that overlap the
device's compute of other frames.

A ring of ``depth`` slots. On CUDA each slot owns pinned host buffers for one frame's planes in
and out, device buffers for the planes in, and three events. :meth:`PlaneTransfer.upload` copies
a frame's planes into its slot's pinned buffers and uploads them on an upload stream; the
calling (compute) stream waits for that upload's event, not for the whole device.
:meth:`PlaneTransfer.download` marks the end of the frame's compute with an event and copies the
results into the slot's pinned output buffers on a download stream that waits for that event
only. The host waits for a frame once, in :meth:`PendingPlanes.copy_to`. So while frame ``k``
computes, frame ``k - 1`` downloads and the tail of frame ``k - 1``'s compute overlaps frame
``k``'s upload: the copy engines and the compute run side by side (the pipeline keeps
``depth - 1`` frames in flight, see :attr:`PlaneTransfer.overlap`).

Unstaged (the CPU's default) the planes are used where they lie and results handed back as they
are: no copies, no ring. Staged on the CPU (for tests), the ring runs with ordinary memory and
no streams, so the bookkeeping is exercised without a GPU.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import torch


@dataclass
class _Slot:
    """One frame's buffers and events (see the module docstring)."""

    host_in: list[torch.Tensor] = field(default_factory=list)
    device_in: list[torch.Tensor] = field(default_factory=list)
    host_out: list[torch.Tensor] = field(default_factory=list)
    uploaded: torch.cuda.Event | None = None
    rendered: torch.cuda.Event | None = None
    downloaded: torch.cuda.Event | None = None
    owed: bool = False  # its result is downloading or not yet collected


@dataclass
class StagedPlanes:
    """A frame's planes on the device (``planes``: ``(H, W)``, ``(h, w)``, ``(h, w)`` integer
    tensors, usable on the compute stream) and the slot they came through."""

    planes: list[torch.Tensor]
    slot: _Slot | None


class PendingPlanes:
    """A frame's result planes on their way to the host: ``host`` CPU tensors, filled once the
    slot's download has run (unstaged: already filled, no slot)."""

    def __init__(self, slot: _Slot | None, host: list[torch.Tensor]) -> None:
        self._slot = slot
        self._host = host

    def copy_to(self, targets: Sequence[np.ndarray]) -> None:
        """Wait for the download, copy the planes into ``targets`` (NumPy arrays of the same
        shapes) and free the slot."""
        slot = self._slot
        if slot is not None and slot.downloaded is not None:
            slot.downloaded.synchronize()
        for target, host in zip(targets, self._host):
            target[...] = host.numpy()
        if slot is not None:
            slot.owed = False


def _as_tensor(plane: np.ndarray) -> torch.Tensor:
    """A NumPy plane (uint8, or uint16 with 10-bit samples) as a tensor, 16-bit samples as int16
    (10-bit code values fit, and int16 has full operator support where uint16 does not)."""
    if plane.dtype == np.uint16:
        plane = plane.view(np.int16)
    return torch.from_numpy(np.ascontiguousarray(plane))


def _layout(plane: np.ndarray) -> tuple[tuple[int, ...], torch.dtype]:
    """Shape and tensor dtype of a plane once staged (see :func:`_as_tensor`)."""
    return plane.shape, torch.int16 if plane.dtype == np.uint16 else torch.uint8


class PlaneTransfer:
    """Moves frames' planes to ``device`` and results back, ``depth`` frames in flight at most.

    Args:
        device: the compute device.
        depth: slots in the ring (``1`` + the frames that may be in flight while another is
            submitted).
        staged: copy through the ring (default: on CUDA only; on the CPU for tests).
    """

    def __init__(self, device: torch.device, depth: int = 2, staged: bool | None = None) -> None:
        if depth < 1:
            raise ValueError(f"depth must be at least 1, got {depth}")
        self.device = device
        self._cuda = device.type == "cuda"
        self.staged = self._cuda if staged is None else staged
        self._slots = [self._new_slot() for _ in range(depth)] if self.staged else []
        self._next = 0
        self._upload_stream = torch.cuda.Stream(device=device) if self._cuda else None
        self._download_stream = torch.cuda.Stream(device=device) if self._cuda else None

    @property
    def overlap(self) -> int:
        """How many frames may still be in flight when the next one is submitted."""
        return len(self._slots) - 1 if self.staged else 0

    def _new_slot(self) -> _Slot:
        if not self._cuda:
            return _Slot()
        # the host waits on uploads and downloads: blocking events let its thread sleep
        # instead of spinning on a core the codec could use
        return _Slot(uploaded=torch.cuda.Event(blocking=True), rendered=torch.cuda.Event(),
                     downloaded=torch.cuda.Event(blocking=True))

    def _host_buffer(self, shape: tuple[int, ...], dtype: torch.dtype) -> torch.Tensor:
        return torch.empty(shape, dtype=dtype, pin_memory=self._cuda)

    def upload(self, planes: Sequence[np.ndarray]) -> StagedPlanes:
        """Start moving a frame's planes (NumPy views, uint8 or uint16) to the device; the
        current stream (the compute's) waits for them."""
        if not self.staged:
            return StagedPlanes([_as_tensor(plane).to(self.device) for plane in planes], None)
        slot = self._slots[self._next]
        if slot.owed:
            raise RuntimeError(f"more than {len(self._slots)} frames in flight: collect one first")
        self._next = (self._next + 1) % len(self._slots)
        layouts = [_layout(plane) for plane in planes]
        if layouts != [(tuple(t.shape), t.dtype) for t in slot.host_in]:
            if self._cuda:  # the old buffers may still be in use on a stream
                torch.cuda.synchronize(self.device)
            slot.host_in = [self._host_buffer(*layout) for layout in layouts]
            slot.device_in = [torch.empty(shape, dtype=dtype, device=self.device)
                              for shape, dtype in layouts]
        if slot.uploaded is not None:
            slot.uploaded.synchronize()  # its previous upload has left the pinned buffers
        for host, plane in zip(slot.host_in, planes):
            host.numpy()[...] = plane  # strided views (padding, nv12 chroma) copied as they lie
        if self._upload_stream is None:
            for device, host in zip(slot.device_in, slot.host_in):
                device.copy_(host)
            return StagedPlanes(list(slot.device_in), slot)
        assert slot.uploaded is not None and slot.rendered is not None
        compute = torch.cuda.current_stream(self.device)
        with torch.cuda.stream(self._upload_stream):
            self._upload_stream.wait_event(slot.rendered)  # the previous compute has read them
            for device, host in zip(slot.device_in, slot.host_in):
                device.copy_(host, non_blocking=True)
            slot.uploaded.record(self._upload_stream)
        compute.wait_event(slot.uploaded)
        return StagedPlanes(list(slot.device_in), slot)

    def download(self, staged: StagedPlanes, results: Sequence[torch.Tensor]) -> PendingPlanes:
        """Start moving a frame's result planes (device tensors computed on the current stream
        from ``staged``) to the host; :meth:`PendingPlanes.copy_to` collects them."""
        slot = staged.slot
        if slot is None:
            return PendingPlanes(None, [r.to("cpu") for r in results])
        layouts = [(tuple(r.shape), r.dtype) for r in results]
        if layouts != [(tuple(h.shape), h.dtype) for h in slot.host_out]:
            slot.host_out = [self._host_buffer(*layout) for layout in layouts]  # slot not owed
        slot.owed = True
        if self._download_stream is None:
            for host, result in zip(slot.host_out, results):
                host.copy_(result)
            return PendingPlanes(slot, slot.host_out)
        assert slot.rendered is not None and slot.downloaded is not None
        slot.rendered.record(torch.cuda.current_stream(self.device))
        with torch.cuda.stream(self._download_stream):
            self._download_stream.wait_event(slot.rendered)
            for host, result in zip(slot.host_out, results):
                result.record_stream(self._download_stream)  # not reused before it is copied
                host.copy_(result, non_blocking=True)
            slot.downloaded.record(self._download_stream)
        return PendingPlanes(slot, slot.host_out)
