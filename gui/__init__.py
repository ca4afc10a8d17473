"""Desktop preview for llie_video: original and enhanced video side by side, live controls.

``python -m gui [SOURCE]`` opens the window (see :mod:`gui.app`). The engine (:mod:`llie_video`)
never imports Qt: the pipeline runs in a worker thread (:mod:`gui.worker`) whose sink hands
finished frames to the window through Qt signals.
"""
