"""The shipped weights and configs are found in a checkout and inside an installed wheel."""

from __future__ import annotations

from pathlib import Path

from llie_video import resources

REPO = Path(__file__).resolve().parents[1]


def test_a_checkout_reads_the_repository_folders():
    assert resources.weights_dir() == REPO / "weights"
    assert resources.configs_dir() == REPO / "configs"
    assert (resources.weights_dir() / "MANIFEST.json").is_file()
    assert (resources.configs_dir() / "pipeline" / "default.yaml").is_file()


def test_a_wheel_reads_the_folders_inside_the_package(tmp_path, monkeypatch):
    """A wheel carries them as llie_video/_weights and llie_video/_configs (pyproject's
    force-include); those win over any folder beside the package."""
    package = tmp_path / "site-packages" / "llie_video"
    (package / "_weights").mkdir(parents=True)
    (package / "_configs").mkdir()
    (tmp_path / "site-packages" / "weights").mkdir()
    monkeypatch.setattr(resources, "_PACKAGE", package)
    assert resources.weights_dir() == package / "_weights"
    assert resources.configs_dir() == package / "_configs"


def test_the_wheel_layout_matches_pyproject():
    text = (REPO / "pyproject.toml").read_text()
    assert '"weights" = "llie_video/_weights"' in text
    assert '"configs" = "llie_video/_configs"' in text
