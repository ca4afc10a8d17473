"""The default CPU route of a model's low-resolution estimate: ONNX Runtime when it is installed.

At estimation sizes (96x54 for the IAT and Zero-DCE++ models) a torch forward is dozens of small
ops, each far from its arithmetic; ONNX Runtime runs the same function, traced at the frame's
fixed size (the model's :meth:`~llie_video.models.base.EnhancementModel.inference_graph` where it
has one: the IAT models fold their norms, attention and heads into fewer ops), in about half the
time on one thread (``docs/performance.md``). The graph is exported in memory from the model's
current parameters on the first frame of each input size (about a second), kept per size, and
exported again when a parameter changes (in place or replaced), so the model stays the single
source of truth and nothing is written to disk; a new stage of the same weights reuses the
sessions this process already made (by a digest of the weights).

The torch forward stays where it is needed: on CUDA, when gradients are wanted, for a model that
estimates at full resolution, at sizes where it measures faster (timed once per size, when the
session is made), and when ONNX Runtime is missing or the export fails (said once).
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import torch

from llie_video.export.graphs import EstimatorGraph
from llie_video.export.onnx import INPUT_NAME, onnx_bytes
from llie_video.models.base import EnhancementModel

_log = logging.getLogger(__name__)
_OUTPUT_NAME = "params"
# Inputs smaller than this stay in torch: an export costs about a second, and the stage's
# 16x16 warm-up frame (:meth:`~llie_video.enhance.stage.EnhanceStage.prepare`) would pay it for
# a size no frame has
MIN_PIXELS = 32 * 32


def onnxruntime_installed() -> bool:
    """Whether ONNX Runtime can be imported (without importing it)."""
    return importlib.util.find_spec("onnxruntime") is not None


# Sessions made in this process, by the model's class, weights, input shape and threads, so a
# new stage of the same weights (the next file of a batch, a test, the preview after a model
# change) does not export again; a handful of sizes and models at most
_SHARED_SESSIONS: OrderedDict[tuple[object, ...], Any] = OrderedDict()
_SHARED_SESSIONS_KEPT = 32


def forget_sessions() -> None:
    """Drop the sessions this process keeps for new stages (they are exported again)."""
    _SHARED_SESSIONS.clear()


def _weights_fingerprint(model: torch.nn.Module) -> str:
    """A digest of ``model``'s class, parameters and buffers (a few microseconds for the
    low-resolution estimators' ~14K parameters)."""
    digest = hashlib.blake2b(type(model).__qualname__.encode(), digest_size=16)
    for name, tensor in (*model.named_parameters(), *model.named_buffers()):
        digest.update(name.encode())
        digest.update(tensor.detach().to("cpu", torch.float32).contiguous().numpy().tobytes())
    return digest.hexdigest()


class ParameterWatch:
    """Tells, in microseconds, whether any parameter or buffer of ``model`` changed since the
    last look: changed in place (an optimiser step, ``load_state_dict``: a tensor's in-place
    counter moves), replaced (``load_state_dict(assign=True)``, a new ``nn.Parameter``
    assigned) or a submodule swapped. The modules are listed once and re-listed only when one
    of them swapped a child, so a look reads a few dozen counters instead of walking the module
    tree (half a millisecond a frame for the IAT models)."""

    def __init__(self, model: torch.nn.Module) -> None:
        self._model = model
        self._modules = list(model.modules())
        self._state = self._read()

    def _read(self) -> tuple[object, ...]:
        state: list[object] = []
        for module in self._modules:
            state.extend(id(child) for child in module._modules.values())
            for tensor in (*module._parameters.values(), *module._buffers.values()):
                if tensor is not None:
                    state.append((id(tensor), tensor._version))
        return tuple(state)

    def changed(self) -> bool:
        """Whether anything changed since the watch was made or last said so."""
        state = self._read()
        if state == self._state:
            return False
        self._modules = list(self._model.modules())
        self._state = self._read()
        return True


def estimator_graph(model: EnhancementModel) -> torch.nn.Module:
    """What is exported of ``model``'s estimate: its inference graph (fewer, larger ops) where
    it has one, else :class:`~llie_video.export.graphs.EstimatorGraph`."""
    graph = model.inference_graph()
    return graph if graph is not None else EstimatorGraph(model)


def _elapsed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def runtime_is_faster(session: Any, model: EnhancementModel, shape: tuple[int, ...],
                      rounds: int = 7) -> bool:
    """Whether ``session`` runs ``model``'s estimate on inputs of ``shape`` faster than torch
    (the fastest of ``rounds`` alternated calls after a warm-up, the figure that other work on
    the machine disturbs least; torch on a channels-last input, as the stage hands it over).
    At the IAT and Zero-DCE sizes it is (1.2-2.3x, ``docs/performance.md``); SCI's and
    Aux-Retinex's few 3-channel convolutions at 480x270 run faster in torch."""
    x = torch.rand(shape)
    x_torch, feed = x.contiguous(memory_format=torch.channels_last), {INPUT_NAME: x.numpy()}
    with torch.inference_mode():
        model.estimate(x_torch), session.run(None, feed)
        torch_s, runtime_s = [], []
        for _ in range(rounds):
            torch_s.append(_elapsed(lambda: model.estimate(x_torch)))
            runtime_s.append(_elapsed(lambda: session.run(None, feed)))
    return min(runtime_s) < min(torch_s)


class OnnxEstimate:
    """``model.estimate`` run by ONNX Runtime on the CPU, one session per input size, for the
    sizes where it is faster than torch (:func:`runtime_is_faster`, measured once per size;
    ``measure=False``: at every size of at least :data:`MIN_PIXELS`).

    Call with ``x_low`` ``(B, 3, h, w)`` float on the CPU; returns ``(B, P, h, w)`` float32,
    the model's torch estimate within float rounding (1e-6 on the shipped models), or None
    where torch is the faster route for this size. Not thread-safe per instance (one per
    estimator).
    """

    def __init__(self, model: EnhancementModel, threads: int = 1, measure: bool = True) -> None:
        self.model = model
        self.threads = threads
        self.measure = measure  # False: ONNX Runtime at every size, untimed
        self._sessions: dict[tuple[int, ...], Any] = {}  # None: torch is faster at that size
        self._weights = ParameterWatch(model)

    def session(self, shape: tuple[int, ...]) -> Any:
        """The session for inputs of ``shape`` ``(B, 3, h, w)`` (exported and timed first if
        needed), or None where torch is faster."""
        if self._weights.changed():
            self._sessions.clear()
        if shape not in self._sessions:
            key = (_weights_fingerprint(self.model), shape, self.threads, self.measure)
            if key not in _SHARED_SESSIONS:
                _SHARED_SESSIONS[key] = self._new_session(shape)
                while len(_SHARED_SESSIONS) > _SHARED_SESSIONS_KEPT:
                    _SHARED_SESSIONS.popitem(last=False)
            self._sessions[shape] = _SHARED_SESSIONS[key]
        return self._sessions[shape]

    def _new_session(self, shape: tuple[int, ...]) -> Any:
        """Export the model's estimate at ``shape`` into a new session; None where torch is
        measured faster."""
        from llie_video.runtimes.onnxruntime import cpu_session

        graph = onnx_bytes(estimator_graph(self.model), torch.zeros(shape), _OUTPUT_NAME)
        session = cpu_session(graph, self.threads)
        faster = not self.measure or runtime_is_faster(session, self.model, shape)
        return session if faster else None

    def __call__(self, x_low: torch.Tensor) -> torch.Tensor | None:
        if x_low.shape[-2] * x_low.shape[-1] < MIN_PIXELS:
            return None
        array = x_low.detach().to(torch.float32).contiguous().numpy()
        session = self.session(tuple(array.shape))
        if session is None:
            return None
        return torch.from_numpy(session.run(None, {INPUT_NAME: array})[0])


class CpuEstimate:
    """The estimate route of ``model``: :class:`OnnxEstimate` for float32 CPU inputs without
    gradients when ONNX Runtime is installed and the model estimates at low resolution, else
    ``model.estimate``. ``(B, 3, h, w) -> (B, P, h, w)``, on the input's device and dtype."""

    def __init__(self, model: EnhancementModel, threads: int = 1) -> None:
        self.model = model
        eligible = (model.estimates_in_torch and model.estimation_long_side is not None
                    and onnxruntime_installed())
        self.onnx: OnnxEstimate | None = OnnxEstimate(model, threads) if eligible else None

    @property
    def uses_onnxruntime(self) -> bool:
        """Whether CPU inputs go to ONNX Runtime (until an export fails)."""
        return self.onnx is not None

    def __call__(self, x_low: torch.Tensor) -> torch.Tensor:
        if (self.onnx is None or x_low.device.type != "cpu" or x_low.dtype != torch.float32
                or (torch.is_grad_enabled() and (x_low.requires_grad or self._trains()))):
            return self.model.estimate(x_low)
        try:
            params = self.onnx(x_low)
        except Exception as exc:  # an exporter or runtime that cannot take this model
            self._fall_back_to_torch(exc)
            params = None
        return params if params is not None else self.model.estimate(x_low)

    def load(self) -> None:
        """Import the exporter and ONNX Runtime now, through a trivial graph: most of the
        first export's time (about a second of the 1.6 s at 96x54) is these imports, once per
        process, so a stage that loads them before a live source opens leaves only the export
        at the source's size to its warm-up (a few tenths of a second)."""
        if self.onnx is None:
            return
        from llie_video.runtimes.onnxruntime import cpu_session

        try:
            cpu_session(onnx_bytes(torch.nn.Identity(), torch.zeros(1, 3, 2, 2), _OUTPUT_NAME))
        except Exception as exc:  # as on a frame: said once, and torch runs the estimate
            self._fall_back_to_torch(exc)

    def _fall_back_to_torch(self, exc: Exception) -> None:
        """Run every later estimate in torch, and say why, once."""
        _log.warning("the estimate runs in torch: ONNX Runtime could not run %s (%s)",
                     type(self.model).__name__, exc)
        self.onnx = None

    def _trains(self) -> bool:
        return any(p.requires_grad for p in self.model.parameters())


def cpu_estimate(model: EnhancementModel, threads: int = 1) -> CpuEstimate:
    """The estimate route of ``model`` (see :class:`CpuEstimate`)."""
    return CpuEstimate(model, threads)
