"""``llie-video batch``: many files, resumable, on a local process pool or a Ray cluster.

:mod:`discover` finds the inputs, :mod:`manifest` records what happened to each, :mod:`worker`
enhances one file with a model loaded once per worker, :mod:`local` and :mod:`ray_engine` run the
workers, :mod:`runner` ties them together (plan, resume, progress, summary).
"""
