"""Video I/O: sources and sinks by scheme (:mod:`~llie_video.video.endpoints`), the threaded
decode -> enhance -> encode pipeline, and the one job runner (:mod:`~llie_video.video.job`)."""
