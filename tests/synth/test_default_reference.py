"""The bars on the default reference: GaussianCopula quality, diagnostic, rules and privacy."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sandbox.dataset import load_dataset, write_dataset
from sandbox.synth import fit_synthesizer, release, report_dataset, sample_population
from sandbox.synth.report import start_state
from sandbox.world import generate, load_recipe

RECIPE = Path(__file__).resolve().parents[2] / "synthetic" / "recipes" / "nl-default.yaml"


@pytest.mark.slow
def test_default_reference_to_gaussian_copula_meets_the_bars(
    tmp_path, monkeypatch, independent_violations
):
    monkeypatch.setenv("SANDBOX_DATASETS", str(tmp_path / "datasets"))
    monkeypatch.setenv("SANDBOX_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    recipe = load_recipe(RECIPE)
    pop = generate(recipe)
    manifest = {"kind": "reference", "seed": recipe.seed, "period": recipe.period.model_dump()}
    tables = {"households": pop.households, "persons": pop.persons, "events": pop.events}
    write_dataset("nl-default", tables, manifest)

    _, syn = fit_synthesizer("nl-default", "gaussian_copula", "gc-default", seed=1)
    start_households = int(pop.households["ontstaan"].isna().sum())
    result = sample_population(syn, start_households, seed=2)
    release("gc-default-1", result, syn, seed=2)
    report = report_dataset("gc-default-1")

    summary = {k: report[k] for k in ("huishoudens", "personen", "huishoudgrootte", "regels")}
    print(
        summary, report["privacy"], syn.info["weggelaten"], result.seconds, syn.info["fit_seconden"]
    )
    assert report["huishoudens"]["kwaliteit"] >= 0.90
    assert report["personen"]["kwaliteit"] >= 0.85
    assert report["huishoudens"]["diagnose"] == 1.0
    assert report["personen"]["diagnose"] == 1.0
    data = load_dataset("gc-default-1")
    day = pd.Timestamp(f"{recipe.period.van}-01")
    hh, p = start_state(data.households, data.persons, day)
    counts = independent_violations(hh, p, day)
    assert counts == dict.fromkeys(counts, 0)
    assert report["regels"]["schendingen_synthetisch"] == counts
    guard = report["privacy"]["toets"]
    assert guard["copied_households"] == 0
    assert guard["bsn_overlap"] == 0 == len(set(data.persons["bsn"]) & set(pop.persons["bsn"]))
    assert guard["identity_overlap"] == 0
    # 600 rows per DCR comparison: the score moves by about 0.05 between seeds.
    assert report["privacy"]["dcr_overfitting_protection"] >= 0.8
