"""ONNX export with torch's ``torch.export``-based exporter (needs the ``onnx`` extra).

The exported graph takes ``image`` ``(N, 3, H, W)`` float32 RGB in [0, 1] with a dynamic batch,
height and width, and returns ``enhanced`` (the full-frame graph) or ``params`` (the estimator
alone). The model's name, its estimation size and what the graph holds are written into the
file's metadata.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

import torch
from torch import nn

from llie_video.optional import require

INPUT_NAME = "image"
OPSET = 18
_MAX_SIDE = 1 << 15


def write_onnx(graph: nn.Module, example: torch.Tensor, path: Path, output_name: str,
               metadata: dict[str, str]) -> None:
    """Export ``graph`` (one input ``(N, 3, H, W)``, one output) to ``path``, batch, height and
    width dynamic; any exporter failure raises ``RuntimeError`` with the exporter's message."""
    require("onnxscript", "onnx")
    onnx = require("onnx", "onnx")
    dims = {0: torch.export.Dim("batch", min=1, max=1024),
            2: torch.export.Dim("height", min=2, max=_MAX_SIDE),
            3: torch.export.Dim("width", min=2, max=_MAX_SIDE)}
    exporter_log = logging.getLogger("torch.onnx")
    level = exporter_log.level
    exporter_log.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")
            program = torch.onnx.export(
                graph, (example,), input_names=[INPUT_NAME], output_names=[output_name],
                dynamic_shapes={_input_argument(graph): dims}, opset_version=OPSET, dynamo=True,
                verbose=False, external_data=False)
    finally:
        exporter_log.setLevel(level)
    if program is None:
        raise RuntimeError("the exporter returned no program")
    proto = program.model_proto
    for key, value in metadata.items():
        entry = proto.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.save_model(proto, str(path))


def _input_argument(graph: nn.Module) -> str:
    """The name of ``graph.forward``'s tensor argument (``dynamic_shapes`` is keyed by it)."""
    import inspect

    return next(iter(inspect.signature(graph.forward).parameters))


def run_onnx(path: Path, image: torch.Tensor, threads: int = 1) -> torch.Tensor:
    """Run an exported file on ``image`` ``(N, 3, H, W)`` with ONNX Runtime on the CPU."""
    ort = require("onnxruntime", "onnx")
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 4  # errors are raised; do not also print them
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    output = session.run(None, {INPUT_NAME: image.detach().float().contiguous().numpy()})[0]
    return torch.from_numpy(output)


def onnx_bytes(graph: nn.Module, example: torch.Tensor, output_name: str) -> bytes:
    """``graph`` traced on ``example`` ``(N, 3, H, W)`` into a serialised ONNX model of that
    fixed size, in memory (TorchScript-based exporter: about a second, where ``torch.export``
    takes tens; fixed sizes let ONNX Runtime fold every shape computation). ``graph`` is put
    in eval mode first: the exporter restores the mode it finds, and a graph left in training
    mode would hand its modules back in training mode (batch-norm statistics then move)."""
    import io

    graph.eval()
    buffer = io.BytesIO()
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # tracer warnings, torch 2.13 deprecating TorchScript
        torch.onnx.export(graph, (example,), buffer, input_names=[INPUT_NAME],
                          output_names=[output_name], opset_version=17, dynamo=False)
    return buffer.getvalue()
