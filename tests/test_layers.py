"""Layers point down (ops <- models <- enhancement core <- video, training <- cli, gui): no module
imports from a layer above it; training's as-run evaluation uses the core without the video
package; techniques plug into models without importing training; and no import circle anywhere
in llie_video or gui, delayed and type-checking imports included."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(("module", "forbidden"), [
    # ops is the pure array layer: no PyAV frames either
    ("llie_video.ops", ("llie_video.models", "llie_video.enhance", "llie_video.video",
                        "llie_video.training", "av")),
    ("llie_video.models", ("llie_video.enhance", "llie_video.video", "llie_video.training")),
    ("llie_video.techniques.plugin", ("llie_video.training", "llie_video.video")),
    ("llie_video.techniques.install", ("llie_video.training", "llie_video.video")),
    ("llie_video.enhance", ("llie_video.video", "llie_video.training", "llie_video.cli")),
    ("llie_video.training.evaluate", ("llie_video.video", "llie_video.cli")),
    ("llie_video.training.real_validation", ("llie_video.video", "llie_video.cli")),
])
def test_module_imports_nothing_from_the_layers_above(module, forbidden):
    """``module`` and, for a package, every module in it."""
    code = (f"import importlib, pkgutil, sys, {module} as top; "
            "[importlib.import_module(m.name) for m in "
            "pkgutil.walk_packages(getattr(top, '__path__', []), top.__name__ + '.')]; "
            f"print(sorted(m for m in sys.modules if any(m == f or m.startswith(f + '.') "
            f"for f in {forbidden!r})))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_training_as_run_evaluation_uses_the_core_without_the_video_package():
    code = ("import sys, torch; from llie_video.training.evaluate import stage_enhancer; "
            "from llie_video import create_model; "
            "enhance = stage_enhancer(create_model('iat_lite')); "
            "out = enhance(torch.rand(1, 3, 24, 32) * 0.2); "
            "print(tuple(out[0].shape), sorted(m for m in sys.modules "
            "if m.startswith('llie_video.video')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "(3, 24, 32) []"


def _modules() -> dict[str, Path]:
    """Every module of llie_video and gui by dotted name (a package by its own name)."""
    modules = {}
    for package in ("llie_video", "gui"):
        for path in (ROOT / package).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def _imported(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The project modules ``name`` imports anywhere in its code (inside functions and
    ``if TYPE_CHECKING`` too); ``from package import module`` counts as the module."""

    def known(dotted: str) -> str | None:
        while dotted and dotted not in modules:
            dotted = dotted.rpartition(".")[0]
        return dotted or None

    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(known(alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = name.split(".")[: None if path.name == "__init__.py" else -1]
                package = package[: len(package) - node.level + 1]
                base = ".".join(package + ([base] if base else []))
            for alias in node.names:
                full = f"{base}.{alias.name}"
                found.add(full if full in modules else known(base))
    return found - {None, name}


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for other in graph[module]:
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            component = []
            while True:
                other = stack.pop()
                component.append(other)
                if other == module:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for module in sorted(graph):
        if module not in index:
            visit(module)
    return circles


def test_no_import_circle_in_llie_video_or_gui():
    modules = _modules()
    graph = {name: _imported(name, path, modules) for name, path in modules.items()}
    assert _circles(graph) == []


def test_the_circle_check_finds_a_circle():
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
