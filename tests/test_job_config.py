"""The job's typed configuration: the shipped default file spells out the defaults, and a file
may set any part of it."""

from __future__ import annotations

import pytest

from llie_video.config import load_config, read_yaml
from llie_video.errors import ConfigError
from llie_video.job_config import JobConfig, ModelConfig, RuntimeConfig
from llie_video.resources import configs_dir
from llie_video.video.sinks import EncoderSettings
from llie_video.enhance.settings import EnhanceSettings

DEFAULT_FILE = configs_dir() / "pipeline" / "default.yaml"


def test_the_shipped_default_file_is_the_defaults():
    assert load_config(JobConfig, DEFAULT_FILE) == JobConfig()
    # every section and key of the dataclasses is spelled out in it
    raw = read_yaml(DEFAULT_FILE)
    sections = {"model": ModelConfig, "enhance": EnhanceSettings, "encoder": EncoderSettings,
                "runtime": RuntimeConfig}
    assert set(raw) == set(sections)
    for name, cls in sections.items():
        assert set(raw[name]) >= {f for f in cls.__dataclass_fields__ if f != "zero_latency"}


def test_a_file_sets_any_part(tmp_path):
    path = tmp_path / "job.yaml"
    path.write_text(
        "model:\n  name: sci\n  weights: my.pt\n"
        "enhance:\n  gamma: 1.3\n  estimation_long_side: null\n"
        "encoder:\n  crf: 28\n  pix_fmt: yuv444p\n"
        "runtime:\n  device: cpu\n  half: false\n  threads: 2\n")
    config = load_config(JobConfig, path)
    assert config.model == ModelConfig(name="sci", weights="my.pt")
    assert config.enhance == EnhanceSettings(gamma=1.3, estimation_long_side=None)
    assert config.encoder == EncoderSettings(crf=28, pix_fmt="yuv444p")
    assert config.runtime == RuntimeConfig(device="cpu", half=False, threads=2)


@pytest.mark.parametrize("text, message", [
    ("enhance:\n  strength: 2\n", "enhance: strength must be within 0..1, got 2.0"),
    ("encoder:\n  crf: -1\n", "encoder: crf must be within 0..63, got -1"),
    ("runtime:\n  threads: two\n", "runtime.threads: expected int, got 'two'"),
    ("model:\n  name: [sci]\n", "model.name: expected str"),
    ("decoder:\n  threads: 2\n", "unknown key 'decoder'"),
])
def test_bad_values_name_their_key(tmp_path, text, message):
    path = tmp_path / "job.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_config(JobConfig, path)
