"""The enhancement core's light half: settings as data (no torch, numba or av imports here)."""
