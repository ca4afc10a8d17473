"""Checkpoints: the shipped weights' manifest, and loading any checkpoint into a model.

A checkpoint written by this project is a dict ``{"arch", "model_kwargs", "params", "params_ema",
"config", "step"}``; inference loads ``params_ema`` when present. A plain state dict is accepted
too; if it is the original authors' (recognised by its keys), it goes through the model's explicit
key remap. Every load is strict.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from llie_video.errors import UserError
from llie_video.models.base import EnhancementModel
from llie_video.resources import weights_dir

MANIFEST_NAME = "MANIFEST.json"


@dataclass(frozen=True)
class WeightsEntry:
    """One shipped checkpoint as described in ``weights/MANIFEST.json``."""

    arch: str
    file: str
    sha256: str
    data: str
    config: str
    parameters: int
    metrics: dict[str, Any] = field(default_factory=dict)
    licence: str = ""
    notes: str = ""


@dataclass(frozen=True)
class Manifest:
    """The weights manifest: which checkpoints ship, and which is the default."""

    default: str
    models: dict[str, WeightsEntry]

    @classmethod
    def load(cls, folder: Path | None = None) -> Manifest:
        path = (folder or weights_dir()) / MANIFEST_NAME
        raw = json.loads(path.read_text())
        models = {name: WeightsEntry(arch=name, **entry) for name, entry in raw["models"].items()}
        return cls(default=raw["default"], models=models)

    def save(self, folder: Path | None = None) -> None:
        path = (folder or weights_dir()) / MANIFEST_NAME
        models = {}
        for name, entry in sorted(self.models.items()):
            fields = dict(entry.__dict__)
            fields.pop("arch")
            models[name] = fields
        path.write_text(json.dumps({"default": self.default, "models": models}, indent=2) + "\n")


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def default_model_name() -> str:
    """The architecture the manifest names as default."""
    return Manifest.load().default


def shipped_weights_path(arch: str) -> Path:
    """Path of the shipped checkpoint for ``arch``, verified against the manifest's sha256."""
    manifest = Manifest.load()
    entry = manifest.models.get(arch)
    if entry is None:
        shipped = ", ".join(sorted(manifest.models)) or "none"
        raise UserError(f"no shipped weights for model {arch!r} (shipped: {shipped})")
    path = weights_dir() / entry.file
    if not path.is_file():
        raise UserError(f"shipped weights {path} are missing; reinstall llie-video")
    if sha256_of(path) != entry.sha256:
        raise UserError(f"shipped weights {path} do not match their sha256 in the manifest")
    return path


# How a legacy (pre-zip) torch.save file begins: a pickle (protocol 2) of torch's magic number.
_LEGACY_TORCH_START = b"\x80\x02\x8a\nl\xfc\x9cF\xf9 j\xa8P\x19"


def is_torch_file(path: Path) -> bool:
    """Whether ``path`` is laid out as torch.save writes: a zip archive with a ``data.pkl``
    record, or a legacy pickle that starts with torch's magic number. (Anything else, torch
    reads as a legacy file and fails with a message about its own internals.)"""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            return any(name.endswith("data.pkl") for name in archive.namelist())
    with path.open("rb") as file:
        return file.read(len(_LEGACY_TORCH_START)) == _LEGACY_TORCH_START


def read_checkpoint(path: Path) -> dict[str, Any]:
    """Load a checkpoint file onto the CPU; a user-facing error if it is not one."""
    if not path.is_file():
        raise UserError(f"weights file not found: {path}")
    if not is_torch_file(path):
        raise UserError(f"{path} is not a checkpoint: not a file written by torch.save")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises many types for a bad file
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UserError(f"cannot read weights file {path}: {reason}") from None
    if not isinstance(state, dict):
        raise UserError(f"{path} is not a checkpoint (a dict of tensors)")
    return state


def read_model_kwargs(path: Path, arch: str | None = None) -> dict[str, Any]:
    """Architecture arguments stored in a project checkpoint (empty for plain state dicts); a
    user-facing error when the checkpoint records a model other than ``arch``."""
    checkpoint = read_checkpoint(path)
    _check_arch(path, checkpoint, arch)
    return dict(checkpoint.get("model_kwargs", {}))


def _check_arch(path: Path, checkpoint: dict[str, Any], expected: str | None) -> None:
    arch = checkpoint.get("arch")
    if arch is not None and expected is not None and arch != expected:
        raise UserError(f"{path} holds weights for model {arch!r}, not {expected!r}")


def state_dict_for_inference(
    model: EnhancementModel, checkpoint: dict[str, Any]
) -> dict[str, torch.Tensor]:
    """The tensors to load into ``model``: EMA weights of a project checkpoint, or a remapped
    original checkpoint, or a plain state dict as it is."""
    if "params" in checkpoint:
        return checkpoint.get("params_ema") or checkpoint["params"]
    if type(model).is_original_state_dict(checkpoint):
        return type(model).remap_original_state_dict(checkpoint)
    return checkpoint


def load_checkpoint_into(model: EnhancementModel, path: Path) -> None:
    """Load ``path`` into ``model`` strictly; a user-facing error when it does not fit."""
    checkpoint = read_checkpoint(path)
    _check_arch(path, checkpoint, getattr(model, "registry_name", None))
    try:
        state = state_dict_for_inference(model, checkpoint)
        model.load_state_dict(state, strict=True)
    except (RuntimeError, ValueError) as exc:
        first_line = str(exc).strip().splitlines()[0]
        raise UserError(f"weights {path} do not fit model {type(model).__name__}: {first_line}") from None


def load_partial_into(model: EnhancementModel, path: Path) -> list[str]:
    """Load a checkpoint of a model that ``model`` extends (the same network without a new
    head, say) into ``model``: every tensor of ``path`` must fit; the parameters it lacks keep
    their initialisation, and their names are returned. A user-facing error otherwise."""
    checkpoint = read_checkpoint(path)
    try:
        missing, unexpected = model.load_state_dict(state_dict_for_inference(model, checkpoint),
                                                    strict=False)
    except (RuntimeError, ValueError) as exc:
        first_line = str(exc).strip().splitlines()[0]
        raise UserError(f"weights {path} do not fit model {type(model).__name__}: {first_line}") from None
    if unexpected:
        raise UserError(f"weights {path} do not fit model {type(model).__name__}: "
                        f"unexpected tensors {', '.join(unexpected)}")
    return list(missing)


def make_checkpoint(
    model: EnhancementModel,
    arch: str,
    params_ema: dict[str, torch.Tensor] | None = None,
    config: dict[str, Any] | None = None,
    step: int = 0,
) -> dict[str, Any]:
    """A project checkpoint dict for ``model`` (registered as ``arch``)."""
    return {
        "arch": arch,
        "model_kwargs": model.architecture_kwargs(),
        "params": {k: v.detach().cpu().clone() for k, v in model.state_dict().items()},
        "params_ema": params_ema,
        "config": config or {},
        "step": step,
    }
