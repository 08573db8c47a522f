"""Fixtures for the proactive tests: nl-small as a dataset in a temporary store, prepared once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox.dataset import write_dataset
from sandbox.world import Population

DATASET = "klein"


@pytest.fixture(scope="session")
def proactive_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """A dataset store, sandbox home and MLflow store shared by the proactive tests."""
    root = tmp_path_factory.mktemp("proactief")
    paths = {"datasets": root / "datasets", "home": root / "home"}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SANDBOX_DATASETS", str(paths["datasets"]))
        mp.setenv("SANDBOX_HOME", str(paths["home"]))
        mp.delenv("MLFLOW_TRACKING_URI", raising=False)
        yield paths


@pytest.fixture(scope="session")
def small_dataset(proactive_env, small_population: Population) -> str:
    """nl-small (20,000 persons, 2025-01..2026-12) written as reference dataset 'klein'."""
    tables = {
        "households": small_population.households,
        "persons": small_population.persons,
        "events": small_population.events,
    }
    manifest = {
        "kind": "reference",
        "parent": None,
        "seed": 20250101,
        "period": {"van": "2025-01", "tot": "2026-12"},
    }
    write_dataset(DATASET, tables, manifest)
    return DATASET


@pytest.fixture(scope="session")
def prepared(small_dataset: str):
    """The ground truth of 'klein' for all regelingen encoded in its period (read-only)."""
    from sandbox.proactive import prepare

    return prepare(small_dataset)
