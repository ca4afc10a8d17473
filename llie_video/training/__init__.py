"""Training: typed configs, objectives, the training loop, export and evaluation.

Entry points: :func:`llie_video.training.api.train_from_config` and
:func:`llie_video.training.evaluate.evaluate`.
"""
