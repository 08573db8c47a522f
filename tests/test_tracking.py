"""MLflow conventions: where the store is, runs that always end, datasets with digests."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from mlflow.tracking import MlflowClient

from sandbox.dataset import write_dataset
from sandbox.tracking import (
    log_dataset,
    log_metrics,
    log_params,
    metric_name,
    sandbox_home,
    start_run,
    tracking_uri,
)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SANDBOX_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SANDBOX_DATASETS", str(tmp_path / "datasets"))
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    return tmp_path / "home"


def test_the_store_is_sqlite_in_the_home_unless_the_environment_names_one(
    home, monkeypatch, tmp_path
):
    assert sandbox_home() == home
    assert tracking_uri() == f"sqlite:///{home.resolve()}/mlflow.db"
    monkeypatch.delenv("SANDBOX_HOME")
    monkeypatch.chdir(tmp_path)
    assert tracking_uri() == f"sqlite:///{tmp_path.resolve()}/.sandbox/mlflow.db"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "sqlite:////elders/mlflow.db")
    assert tracking_uri() == "sqlite:////elders/mlflow.db"


def test_a_run_creates_its_experiment_with_artifacts_in_the_home(home):
    with start_run("proef", run_name="een", tags={"doel": "test"}) as run:
        log_params({"model": "x", "groep": {"a": 1}})
        logged = log_metrics({"kwaliteit": {"huishoudens": 0.9, "ok": True}, "tekst": "nee"})
    client = MlflowClient(tracking_uri())
    got = client.get_run(run.info.run_id)
    assert got.info.status == "FINISHED" and got.data.tags["doel"] == "test"
    assert got.data.params == {"model": "x", "groep.a": "1"}
    assert logged == {"kwaliteit.huishoudens": 0.9, "kwaliteit.ok": 1.0}
    experiment = client.get_experiment_by_name("proef")
    assert experiment.artifact_location == (home / "mlartifacts").resolve().as_uri()
    with start_run("proef") as second:  # the existing experiment is reused
        pass
    assert client.get_run(second.info.run_id).info.experiment_id == experiment.experiment_id


@pytest.mark.parametrize("error", [ValueError("stuk"), KeyboardInterrupt()])
def test_a_run_that_is_interrupted_ends_failed(home, error):
    with pytest.raises(type(error)), start_run("proef") as run:
        raise error
    status = MlflowClient(tracking_uri()).get_run(run.info.run_id).info.status
    assert status == "FAILED"


def test_a_dataset_is_logged_with_a_digest_of_its_table_hashes(home, small_population):
    tables = {
        "households": small_population.households.head(50),
        "persons": small_population.persons.head(80),
        "events": small_population.events.head(10),
    }
    path = write_dataset("klein", tables, {"kind": "reference"})
    hashes = {t: hashlib.sha256((path / f"{t}.parquet").read_bytes()).hexdigest() for t in tables}
    text = ";".join(f"{t}={hashes[t]}" for t in sorted(hashes))
    want = hashlib.sha256(text.encode()).hexdigest()[:32]
    with start_run("proef") as run:
        assert log_dataset("klein", context="bron") == want
    inputs = MlflowClient(tracking_uri()).get_run(run.info.run_id).inputs.dataset_inputs
    assert [(i.dataset.name, i.dataset.digest) for i in inputs] == [("klein", want)]
    assert inputs[0].dataset.source_type == "local"
    assert str(path.resolve()) in inputs[0].dataset.source


def test_metric_names_are_dotted():
    assert metric_name("kwaliteit", "huishoudens", "overall") == "kwaliteit.huishoudens.overall"
    assert metric_name("a b", "", "c") == "a_b.c"
