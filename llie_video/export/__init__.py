"""``llie-video export``: the models for other runtimes.

:mod:`graphs` holds the torch modules that are exported (the full-frame graph, the estimator
alone), :mod:`onnx` and :mod:`torchscript` write them, :mod:`api` checks a written file against
torch before keeping it.
"""
