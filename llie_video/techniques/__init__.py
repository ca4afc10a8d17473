"""Training-time techniques from the literature that make lightweight models better.

- :mod:`~llie_video.techniques.pog`: parameter orthogonal generation (dynamic 1x1 convolution).
- :mod:`~llie_video.techniques.adr`: attention dynamic reallocation.
- :mod:`~llie_video.techniques.lfpv`: learnable feature patches and vectors (a feature plug-in).

All are switched on from the ``techniques`` section of a training config
(:class:`~llie_video.techniques.config.TechniquesConfig`).
"""

from llie_video.techniques.config import AdrConfig, LfpvConfig, PogConfig, TechniquesConfig

__all__ = ["AdrConfig", "LfpvConfig", "PogConfig", "TechniquesConfig"]
