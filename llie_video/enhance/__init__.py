"""The enhancement core: no files, containers or threads. :mod:`~llie_video.enhance.settings`
holds the settings as data and imports neither torch, Numba nor PyAV (the CLI builds its options
from it); the stage, its render routes, the estimator and the temporal state use all three."""
