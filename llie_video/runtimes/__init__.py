"""Other runtimes for the models: ONNX Runtime for the estimator (``--backend onnxruntime``)."""
