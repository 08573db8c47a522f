"""The layering of STYLE.md holds: import-linter contracts, public names, thin doors."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = [
    "sandbox",
    "sandbox.world",
    "sandbox.rules",
    "sandbox.synth",
    "sandbox.landscape",
    "sandbox.proactive",
    "sandbox.tracking",
    "sandbox.errors",
    "sandbox.yamlfile",
    "sandbox.dataset",
    "sandbox.cli",
]
PARTS = {
    "sandbox.world",
    "sandbox.rules",
    "sandbox.synth",
    "sandbox.landscape",
    "sandbox.proactive",
    "sandbox.tracking",
    "sandbox.dataset",
}


def test_import_linter_contracts_are_kept():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint), "--config", str(ROOT / "pyproject.toml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" in result.stdout and "0 broken" in result.stdout


@pytest.mark.parametrize("name", PACKAGES)
def test_public_names_exist_and_modules_say_what_they_are_for(name):
    module = importlib.import_module(name)
    assert module.__doc__ and module.__doc__.strip()
    exported = getattr(module, "__all__", None)
    assert exported is not None, f"{name} has no __all__"
    missing = [n for n in exported if not hasattr(module, n)]
    assert not missing


def _sandbox_imports(path: Path) -> list[tuple[str, list[str]]]:
    tree = ast.parse(path.read_text())
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("sandbox"):
            found.append((node.module, [a.name for a in node.names]))
    return found


def test_the_cli_imports_only_public_library_names():
    for path in (ROOT / "sandbox" / "cli").glob("*.py"):
        for module, names in _sandbox_imports(path):
            if module.startswith("sandbox.cli") or module in ("sandbox", "sandbox.errors"):
                continue
            assert module in PARTS, f"{path.name} reaches into {module}"
            public = set(importlib.import_module(module).__all__)
            assert set(names) <= public, f"{path.name} imports private {set(names) - public}"


def test_every_library_module_has_a_docstring():
    for path in (ROOT / "sandbox").rglob("*.py"):
        assert ast.get_docstring(ast.parse(path.read_text())), f"{path} lacks a module docstring"


def test_top_level_holds_only_the_agreed_files():
    allowed = {
        "README.md",
        "pyproject.toml",
        "Makefile",
        "LICENSE",
        "CHANGELOG.md",
        "sandbox",
        "synthetic",
        "experiments",
        "apps",
        "tests",
        "benchmarks",
        "docs",
    }
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    top = {p.split("/")[0] for p in tracked if not p.startswith(".")}
    assert top <= allowed, top - allowed
