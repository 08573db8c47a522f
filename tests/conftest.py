"""Shared fixtures: the small recipe's population, generated once per test session."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from sandbox.world import Population, Recipe, generate, load_recipe

ROOT = Path(__file__).resolve().parents[1]
RECIPES = ROOT / "synthetic" / "recipes"


@pytest.fixture(scope="session")
def recipes() -> Path:
    """The repo's recipe folder."""
    return RECIPES


@pytest.fixture(scope="session")
def small_recipe() -> Recipe:
    """The nl-small recipe (20,000 persons, 24 months)."""
    return load_recipe(RECIPES / "nl-small.yaml")


@pytest.fixture(scope="session")
def small_population(small_recipe: Recipe) -> Population:
    """The nl-small population, generated once; tests must not modify it."""
    return generate(small_recipe)


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty dataset store in a temporary folder, with the repo's recipes available."""
    datasets = tmp_path / "datasets"
    monkeypatch.setenv("SANDBOX_DATASETS", str(datasets))
    monkeypatch.setenv("SANDBOX_RECIPES", str(RECIPES))
    return datasets


@pytest.fixture
def interrupt_on_second_table(monkeypatch: pytest.MonkeyPatch) -> Callable[[], list[int]]:
    """Arm DataFrame.to_parquet to write the first table and raise Ctrl-C on the second.

    Calling the fixture's value arms it and returns a one-item list counting the calls.
    """

    def arm() -> list[int]:
        real = pd.DataFrame.to_parquet
        calls = [0]

        def to_parquet(frame: pd.DataFrame, *args, **kwargs):
            calls[0] += 1
            if calls[0] == 2:
                raise KeyboardInterrupt
            return real(frame, *args, **kwargs)

        monkeypatch.setattr(pd.DataFrame, "to_parquet", to_parquet)
        return calls

    return arm
