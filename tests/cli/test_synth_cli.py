"""Tests for `sandbox synth`: the whole path in three commands, and one-line errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from cli_helpers import invoke
from typer.testing import Result

from sandbox.dataset import read_manifest, write_dataset
from sandbox.synth import HOUSEHOLD_COLUMNS, PERSON_COLUMNS

START = pd.Timestamp("2025-01-01")


def one_line_error(result: Result) -> str:
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line on stderr, got {result.stderr!r}"
    return lines[0]


@pytest.fixture(scope="module")
def env(tmp_path_factory, small_population) -> Iterator[dict[str, Path]]:
    root = tmp_path_factory.mktemp("synth-cli")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SANDBOX_DATASETS", str(root / "datasets"))
        mp.setenv("SANDBOX_HOME", str(root / "home"))
        mp.delenv("MLFLOW_TRACKING_URI", raising=False)
        hh = small_population.households
        hh = hh[hh["ontstaan"].isna() & (hh["household_id"] < 450)]
        p = small_population.persons
        p = p[p["household_id"].isin(hh["household_id"]) & (p["geboortedatum"] < START)]
        ev = small_population.events[small_population.events["person_id"].isin(p["person_id"])]
        manifest = {"kind": "reference", "period": {"van": "2025-01", "tot": "2026-12"}}
        write_dataset("bron", {"households": hh, "persons": p, "events": ev}, manifest)
        yield {"root": root, "home": root / "home", "hh": hh, "persons": p}


def test_fit_sample_and_report_in_three_commands(env):
    fit = invoke("synth", "fit", "bron", "--name", "s1", "--seed", "2")
    assert fit.exit_code == 0, fit.output
    assert "synthesizer s1 (gaussian_copula) geleerd" in fit.stdout
    assert (env["home"] / "synthesizers" / "s1" / "synthesizer.json").is_file()
    sample = invoke("synth", "sample", "s1", "--households", "250", "--seed", "4", "--name", "uit")
    assert sample.exit_code == 0, sample.output
    manifest = read_manifest("uit")
    assert manifest["kind"] == "synthetic" and manifest["parent"] == "bron"
    assert manifest["synthesizer"]["name"] == "s1"
    report = invoke("synth", "report", "uit", "--geen-mlflow")
    assert report.exit_code == 0, report.output
    data = json.loads((env["root"] / "datasets" / "uit" / "report.json").read_text())
    assert data["aantallen"]["synthetische_huishoudens"] == 250
    assert f"{data['huishoudens']['kwaliteit']:.3f}" in report.stdout


def test_help_says_which_model_to_pick_when(env):
    result = invoke("synth", "fit", "--help")
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    for word in ("gaussian_copula", "ctgan", "tvae", "standaard"):
        assert word in text


def _extract(env, folder: Path) -> Path:
    folder.mkdir(parents=True)
    env["hh"][list(HOUSEHOLD_COLUMNS)].to_csv(folder / "households.csv", index=False)
    env["persons"][list(PERSON_COLUMNS)].to_csv(folder / "persons.csv", index=False)
    return folder


def _nothing_fitted(env, name: str) -> bool:
    return not (env["home"] / "synthesizers" / name).exists()


def test_missing_columns_are_listed_in_one_line(env, tmp_path):
    folder = _extract(env, tmp_path / "x")
    pd.read_csv(folder / "households.csv").drop(columns=["woz_waarde"]).to_csv(
        folder / "households.csv", index=False
    )
    line = one_line_error(invoke("synth", "fit", str(folder), "--name", "m1"))
    assert "missing required columns woz_waarde" in line and _nothing_fitted(env, "m1")


def test_a_non_numeric_income_is_named_with_its_bad_row_count(env, tmp_path):
    folder = _extract(env, tmp_path / "x")
    p = pd.read_csv(folder / "persons.csv", dtype=str)
    p.loc[:3, "inkomen"] = "onbekend"
    p.to_csv(folder / "persons.csv", index=False)
    line = one_line_error(invoke("synth", "fit", str(folder), "--name", "m2"))
    assert "'inkomen' is not numeric in 4 rows" in line and _nothing_fitted(env, "m2")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("synth", "fit", "bron", "--model", "gan", "--name", "m3"), "unknown model 'gan'"),
        (("synth", "fit", "geen-bron", "--name", "m4"), "no dataset 'geen-bron'"),
        (("synth", "sample", "geen-synth", "-n", "5", "--name", "o1"), "no synthesizer"),
    ],
)
def test_unknown_things_give_one_line_and_write_nothing(env, args, message):
    line = one_line_error(invoke(*args))
    assert message in line
    assert _nothing_fitted(env, args[-1])
    assert not (env["root"] / "datasets" / "o1").exists()


def test_a_source_too_small_to_fit_is_refused(env, tmp_path):
    folder = _extract(env, tmp_path / "x")
    hh = pd.read_csv(folder / "households.csv").head(60)
    hh.to_csv(folder / "households.csv", index=False)
    p = pd.read_csv(folder / "persons.csv")
    p[p["household_id"].isin(hh["household_id"])].to_csv(folder / "persons.csv", index=False)
    line = one_line_error(invoke("synth", "fit", str(folder), "--name", "m5"))
    assert "has 60 usable households" in line and _nothing_fitted(env, "m5")


def test_template_writes_an_example_extract(env, tmp_path):
    result = invoke("synth", "template", str(tmp_path / "voorbeeld"))
    assert result.exit_code == 0
    assert (tmp_path / "voorbeeld" / "persons.csv").is_file()
    assert one_line_error(invoke("synth", "template", str(tmp_path / "voorbeeld")))
