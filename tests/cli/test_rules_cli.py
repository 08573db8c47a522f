"""Tests for `sandbox rules`: list, show, calc, evaluate; one-line errors and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from cli_helpers import invoke

from sandbox.dataset import write_dataset

CASE = {
    "peildatum": "2025-06-01",
    "huishouden": {"gemeente_code": "GM0363", "woonsituatie": "huur_sociaal", "kale_huur": 650.0},
    "personen": [{"id": "a", "rol": "aanvrager", "geboortedatum": "1985-03-01", "inkomen": 0}],
}


def test_list_shows_every_regeling() -> None:
    result = invoke("rules", "list")
    assert result.exit_code == 0
    assert "zorgtoeslag" in result.output and "Dienst Toeslagen" in result.output


def test_show_gives_articles_and_parameters() -> None:
    result = invoke("rules", "show", "zorgtoeslag")
    assert result.exit_code == 0
    assert "art. 3 lid 1 Wet op de zorgtoeslag (BWBR0018451)" in result.output
    assert "standaardpremie" in result.output and "2112" in result.output


def test_show_unknown_regeling_suggests() -> None:
    result = invoke("rules", "show", "zorgtoeslg")
    assert result.exit_code == 2
    assert "unknown regeling 'zorgtoeslg' (did you mean 'zorgtoeslag'?)" in result.output


def test_calc_json_follows_the_contract(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text(json.dumps(CASE))
    result = invoke("rules", "calc", str(path), "--regeling", "zorgtoeslag", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data[0]["regeling"] == "zorgtoeslag"
    assert data[0]["bedrag_maand"] == 131  # maximum for a single person in 2025
    assert data[0]["recht"] is True


def test_calc_table_explains(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text(json.dumps(CASE))
    result = invoke("rules", "calc", str(path), "-r", "zorgtoeslag")
    assert result.exit_code == 0
    assert "recht" in result.output and "art. 14 lid 4" in result.output


def test_calc_bad_format_and_bad_case(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text(json.dumps(CASE))
    assert invoke("rules", "calc", str(path), "--format", "xml").exit_code == 2
    path.write_text("{not json")
    result = invoke("rules", "calc", str(path))
    assert result.exit_code == 2
    assert "c.json: line 1: invalid JSON" in result.output


@pytest.fixture
def dataset(store: Path, small_population) -> str:
    data = small_population
    write_dataset(
        "klein",
        {"households": data.households, "persons": data.persons, "events": data.events},
        {"kind": "reference", "period": {"van": "2025-01", "tot": "2026-12"}, "seed": 7},
    )
    return "klein"


def test_evaluate_writes_one_row_per_unit_regeling_month(dataset: str, store: Path) -> None:
    result = invoke(
        "rules", "evaluate", dataset, "--period", "2025-01..2025-03", "-r", "zorgtoeslag"
    )
    assert result.exit_code == 0, result.output
    out = store / dataset / "rechten-2025-01-2025-03.parquet"
    assert out.exists()
    con = duckdb.connect()
    rows = con.execute(
        f"SELECT count(*), count(DISTINCT peildatum), sum(bedrag_maand) FROM '{out}'"
    ).fetchone()
    persons = con.execute(
        f"SELECT count(*) FROM '{store / dataset / 'persons.parquet'}' p, "
        "(SELECT unnest([DATE '2025-01-01', DATE '2025-02-01', DATE '2025-03-01']) AS d) m "
        "WHERE p.geboortedatum <= m.d AND (p.overlijdensdatum IS NULL OR p.overlijdensdatum > m.d)"
    ).fetchone()[0]
    assert rows[0] == persons  # every living person, every month
    assert rows[1] == 3
    assert "zorgtoeslag" in result.output
    assert f"{rows[2] * 4:,.0f}" in result.output  # euros per year = 3 months x 4


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("2025-1..2025-12", "expected YYYY-MM..YYYY-MM"),
        ("2025-05..2025-01", "the end lies before the start"),
        ("2027-01..2027-03", "lies outside dataset klein's period 2025-01..2026-12"),
    ],
)
def test_evaluate_bad_period(dataset: str, store: Path, period: str, message: str) -> None:
    result = invoke("rules", "evaluate", dataset, "--period", period)
    assert result.exit_code == 2
    assert message in result.output
    assert not list((store / dataset).glob("rechten*"))


def test_evaluate_unknown_dataset(store: Path) -> None:
    result = invoke("rules", "evaluate", "bestaatniet")
    assert result.exit_code == 2
    assert "bestaatniet" in result.output
