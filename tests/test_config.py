"""Typed configuration: strict YAML loading, overrides, and an error naming the key for every
mistake (a ConfigError is a UserError: the command prints it as one line, exit 2)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pytest

from llie_video.config import apply_overrides, from_dict, load_config, read_yaml, to_dict
from llie_video.errors import ConfigError, UserError


@dataclass(frozen=True)
class Inner:
    rate: float = 1.0
    count: int = 2
    mode: Literal["fast", "slow"] = "fast"

    def __post_init__(self) -> None:
        if self.count < 0:
            raise ValueError(f"count must be >= 0, got {self.count}")


@dataclass(frozen=True)
class Outer:
    name: str = "x"
    path: Path | None = None
    sizes: tuple[int, ...] = (1, 2)
    flag: bool = False
    inner: Inner = field(default_factory=Inner)


def test_config_errors_are_user_errors():
    assert issubclass(ConfigError, UserError)


def test_read_yaml_errors_name_the_file(tmp_path):
    with pytest.raises(ConfigError, match="config file not found: .*none.yaml"):
        read_yaml(tmp_path / "none.yaml")
    with pytest.raises(ConfigError, match="config file not found"):
        read_yaml(tmp_path)  # a folder
    broken = tmp_path / "broken.yaml"
    broken.write_text("inner: [1, 2\n")
    with pytest.raises(ConfigError, match=r"broken.yaml is not valid YAML: .+") as info:
        read_yaml(broken)
    assert "\n" not in str(info.value)  # one line
    listed = tmp_path / "list.yaml"
    listed.write_text("- a\n- b\n")
    with pytest.raises(ConfigError, match="must hold a mapping"):
        read_yaml(listed)
    empty = tmp_path / "empty.yaml"
    empty.write_text("# nothing set\n")
    assert read_yaml(empty) == {}


def test_values_are_converted_and_checked_by_type():
    config = from_dict(Outer, {"name": "y", "path": "a/b", "sizes": [3, 4, 5], "flag": True,
                               "inner": {"rate": 2, "mode": "slow"}})
    assert config == Outer("y", Path("a/b"), (3, 4, 5), True, Inner(2.0, 2, "slow"))
    assert isinstance(config.inner.rate, float)  # an int where a float is expected is fine
    assert from_dict(Outer, {"path": None, "inner": None}) == Outer()


@pytest.mark.parametrize("data, message", [
    ({"nme": "y"}, "unknown key 'nme' (known: flag, inner, name, path, sizes)"),
    ({"inner": {"rte": 1}}, "unknown key 'inner.rte'"),
    ({"name": 5}, "name: expected str, got 5"),
    ({"flag": "yes"}, "flag: expected bool, got 'yes'"),
    ({"inner": {"count": True}}, "inner.count: expected int, got True"),
    ({"inner": {"count": 1.5}}, "inner.count: expected int, got 1.5"),
    ({"inner": {"rate": "fast"}}, "inner.rate: expected float, got 'fast'"),
    ({"inner": {"mode": "medium"}}, "inner.mode: 'medium' is not one of 'fast', 'slow'"),
    ({"sizes": 3}, "sizes: expected a list, got 3"),
    ({"sizes": [1, "two"]}, "sizes[1]: expected int, got 'two'"),
    ({"path": 7}, "path: expected a path, got 7"),
    ({"inner": [1]}, "inner: expected a mapping, got list"),
    ({"inner": {"count": -1}}, "inner: count must be >= 0, got -1"),
])
def test_mistakes_name_the_key(data, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        from_dict(Outer, data)


def test_overrides_set_dotted_keys_parsed_as_yaml():
    data = {"inner": {"rate": 1.0}, "name": "x"}
    result = apply_overrides(data, ["inner.rate=2.5", "name=y", "sizes=[4, 5]", "flag=true",
                                    "inner.count=3"])
    assert result == {"inner": {"rate": 2.5, "count": 3}, "name": "y", "sizes": [4, 5],
                      "flag": True}
    assert data == {"inner": {"rate": 1.0}, "name": "x"}  # the input is left as it was


@pytest.mark.parametrize("override, message", [
    ("inner.rate", "'inner.rate' is not of the form key=value"),
    ("=3", "'=3' is not of the form key=value"),
    ("name=[1, 2", "'name=[1, 2': value is not valid YAML"),
    ("name.first=a", "'name.first=a': 'name' is not a section"),
])
def test_bad_overrides_are_refused(override, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        apply_overrides({"name": "x"}, [override])


def test_load_config_reads_the_file_then_applies_overrides(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("name: from-file\ninner:\n  rate: 3\n")
    assert load_config(Outer, path, ["inner.count=7"]) == Outer(
        name="from-file", inner=Inner(rate=3.0, count=7))
    assert load_config(Outer, None) == Outer()  # the defaults
    with pytest.raises(ConfigError, match="unknown key 'inner.cont'"):
        load_config(Outer, path, ["inner.cont=7"])


def test_to_dict_round_trips():
    config = Outer("y", Path("a/b"), (3,), True, Inner(2.0, 1, "slow"))
    plain = to_dict(config)
    assert plain["path"] == "a/b" and plain["sizes"] == [3]
    assert from_dict(Outer, plain) == config
