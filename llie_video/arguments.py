"""The command line's argument parser, shared by ``llie-video`` and its verbs' modules."""

from __future__ import annotations

import argparse

from llie_video.errors import UserError


class UserErrorParser(argparse.ArgumentParser):
    """argparse that raises a UserError (one line, exit code 2) instead of printing usage and
    exiting."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UserError(f"{message} (see {self.prog} --help)")
