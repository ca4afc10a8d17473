"""Checking what the ``llie-video`` command tells a user."""

from __future__ import annotations

import pytest


def one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    """The one line the command wrote on stderr: an ``llie-video: error:`` without a traceback."""
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("llie-video: error: "), err
    assert "Traceback" not in err[0]
    return err[0]
