"""Video I/O and the threaded decode -> enhance -> encode pipeline."""
