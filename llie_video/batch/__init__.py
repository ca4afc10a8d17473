"""``llie-video batch``: many files, resumable, on a local process pool or a Ray cluster.

:mod:`discover` finds the inputs, :mod:`manifest` records what happened to each, :mod:`worker`
enhances one file with a model loaded once per worker, the engines run the workers (each a
:class:`~llie_video.batch.engine.BatchEngine`, by name in :mod:`engines`: :mod:`local`,
:mod:`ray_engine`), :mod:`runner` ties them together (plan, resume, progress, summary).
"""
