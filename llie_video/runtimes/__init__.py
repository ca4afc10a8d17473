"""What runs a model's estimator: the backends by name (:mod:`llie_video.runtimes.backends`,
``--backend``), and ONNX Runtime's (:mod:`llie_video.runtimes.onnxruntime`)."""
