"""The one way to pick an implementation by name: models, endpoints, batch engines, estimator
backends and the CLI's commands are each a Registry."""

import pytest

from llie_video import UserError
from llie_video.batch.engines import ENGINES
from llie_video.cli import VERBS
from llie_video.models import MODELS
from llie_video.registry import Registry
from llie_video.runtimes.backends import BACKENDS
from llie_video.video.endpoints import SINKS, SOURCES


def test_entries_by_name_in_registration_order():
    colours = Registry[int]("colour")
    colours.register("red", 1)
    colours.register("green", 2)
    assert colours.get("green") == 2 and colours.find("blue") is None
    assert colours.names() == list(colours) == ["red", "green"] and "red" in colours


def test_a_name_is_registered_once_unless_replaced():
    colours = Registry[int]("colour")
    colours.register("red", 1)
    with pytest.raises(ValueError, match="colour 'red' is already registered"):
        colours.register("red", 2)
    colours.register("red", 3, replace=True)
    assert colours.get("red") == 3


def test_an_unknown_name_is_a_user_error_listing_the_known_ones():
    colours = Registry[int]("colour")
    colours.register("red", 1)
    with pytest.raises(UserError, match="unknown colour 'blue'; known: red"):
        colours.get("blue")


@pytest.mark.parametrize("registry, names", [
    (MODELS, {"zero_dce_pp", "iat_colour", "sci"}), (SOURCES, {"webcam"}),
    (SINKS, {"null", "rtsp"}), (ENGINES, {"local", "ray"}), (BACKENDS, {"torch", "onnxruntime"}),
    (VERBS, {"batch", "models", "preview"}),
])
def test_every_kind_of_implementation_is_a_registry(registry, names):
    assert isinstance(registry, Registry) and names <= set(registry.names())
