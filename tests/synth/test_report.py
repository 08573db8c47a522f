"""The report on a released synthetic dataset: contents checked against the tables themselves."""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import pytest
from mlflow.tracking import MlflowClient

from sandbox.dataset import load_dataset, read_manifest
from sandbox.synth import release, report_dataset
from sandbox.tracking import tracking_uri


@pytest.fixture(scope="module")
def reported(sampled, synthesizer, synth_env):
    release("syn-rapport", sampled, synthesizer, seed=11)
    return report_dataset("syn-rapport")


def _sizes(persons: pd.DataFrame) -> dict[str, float]:
    counts = persons.groupby("household_id").size()
    shares = {}
    for k in range(1, 7):
        n = (counts >= 6).sum() if k == 6 else (counts == k).sum()
        if n:
            shares["6+" if k == 6 else str(k)] = round(n / len(counts), 4)
    return shares


def test_the_manifest_names_parent_and_synthesizer(reported):
    manifest = read_manifest("syn-rapport")
    assert manifest["kind"] == "synthetic" and manifest["parent"] == "bron"
    assert manifest["synthesizer"] == {"name": "proef", "model": "gaussian_copula", "seed": 3}
    assert manifest["release_guard"]["passed"] is True


def test_the_report_files_hold_what_the_tables_show(reported):
    data = load_dataset("syn-rapport")
    on_disk = json.loads((data.path / "report.json").read_text())
    assert on_disk["dataset"] == "syn-rapport"
    assert "<table>" in (data.path / "report.html").read_text()
    day = pd.Timestamp("2025-01-01")
    persons = data.persons[data.persons["geboortedatum"] < day]
    persons = persons[
        persons["household_id"].isin(
            data.households.loc[data.households["ontstaan"].isna(), "household_id"]
        )
    ]
    assert on_disk["huishoudgrootte"]["synthetisch"] == _sizes(persons)
    assert on_disk["aantallen"]["synthetische_personen"] == len(persons)
    source = load_dataset("bron")
    assert on_disk["privacy"]["toets"]["bsn_overlap"] == len(
        set(data.persons["bsn"]) & set(source.persons["bsn"])
    )
    assert on_disk["regels"]["schendingen_synthetisch"] == dict.fromkeys(
        on_disk["regels"]["omschrijving"], 0
    )
    for level in ("huishoudens", "personen"):
        q = on_disk[level]
        assert 0 <= q["kolomvormen"] <= 1 and 0 <= q["kolomparen"] <= 1
        # The overall score is the mean of its two properties (SDMetrics' definition).
        assert q["kwaliteit"] == pytest.approx((q["kolomvormen"] + q["kolomparen"]) / 2, abs=1e-3)
    for key in ("dcr_baseline_protection", "dcr_overfitting_protection"):
        assert 0 <= on_disk["privacy"][key] <= 1


def test_the_run_is_in_mlflow_with_inputs_metrics_and_artifacts(reported):
    client = MlflowClient(tracking_uri())
    run = client.get_run(reported["mlflow_run_id"])
    assert run.info.status == "FINISHED"
    assert client.get_experiment(run.info.experiment_id).name == "synthese"
    metrics = run.data.metrics
    assert metrics["huishoudens.kwaliteit"] == pytest.approx(reported["huishoudens"]["kwaliteit"])
    assert metrics["privacy.bsn_overlap"] == 0
    assert run.data.params["synthesizer"] == "proef"
    digests = {}
    for name in ("bron", "syn-rapport"):
        folder = load_dataset(name).path
        files = {
            t: hashlib.sha256((folder / f"{t}.parquet").read_bytes()).hexdigest()
            for t in ("events", "households", "persons")
        }
        text = ";".join(f"{t}={files[t]}" for t in sorted(files))
        digests[name] = hashlib.sha256(text.encode()).hexdigest()[:32]
    inputs = {
        i.dataset.name: (i.dataset.digest, i.tags[0].value) for i in run.inputs.dataset_inputs
    }
    assert inputs == {
        "bron": (digests["bron"], "bron"),
        "syn-rapport": (digests["syn-rapport"], "synthetisch"),
    }
    paths = {a.path for a in client.list_artifacts(run.info.run_id)}
    assert {"rapport", "synthesizer"} <= paths
    rapport = {a.path for a in client.list_artifacts(run.info.run_id, "rapport")}
    assert rapport == {"rapport/report.json", "rapport/report.html"}
