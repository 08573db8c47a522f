"""The catalog: every file loads, every parameter has a unit and a source, every rule an article."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from sandbox.errors import RuleError
from sandbox.rules import catalog_dir, load_catalog, load_regeling
from sandbox.rules.catalog import EVENT_TYPES

FILES = sorted(catalog_dir().glob("*.yaml"))


def test_catalog_holds_the_regelingen_the_issue_names() -> None:
    ids = {p.stem for p in FILES}
    assert "zorgtoeslag" in ids
    assert load_catalog().keys() == ids


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_every_parameter_value_has_unit_and_source(path: Path) -> None:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    for name, par in raw.get("parameters", {}).items():
        assert str(par.get("unit", "")).strip(), f"{path.name}: {name} has no unit"
        for value in par["waarden"]:
            assert len(str(value.get("bron", ""))) >= 10, f"{path.name}: {name} lacks a source"


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_every_rule_cites_an_article_and_the_law_is_linked(path: Path) -> None:
    reg = load_regeling(path)
    assert reg.grondslag.link.startswith("https://wetten.overheid.nl/" + reg.grondslag.bwbr)
    for v in reg.voorwaarden:
        assert v.grondslag.artikel.strip()
    assert reg.niet_gebruik is None or "http" in reg.niet_gebruik.bron
    assert set(reg.levensgebeurtenissen) <= set(EVENT_TYPES)
    for year in reg.jaren:  # every parameter has a value in force in every encoded year
        for name, par in reg.parameters.items():
            assert par.on(dt.date(year, 12, 1)) is not None, f"{name} in {year}"


def _write(tmp_path: Path, data: dict | str, name: str = "zorgtoeslag.yaml") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False))
    return path


@pytest.fixture
def raw() -> dict:
    return yaml.safe_load((catalog_dir() / "zorgtoeslag.yaml").read_text(encoding="utf-8"))


def test_parameter_without_unit_is_refused(tmp_path: Path, raw: dict) -> None:
    del raw["parameters"]["standaardpremie"]["unit"]
    with pytest.raises(RuleError, match=r"zorgtoeslag.yaml: .*parameters.standaardpremie.unit"):
        load_regeling(_write(tmp_path, raw))


def test_parameter_value_without_source_is_refused(tmp_path: Path, raw: dict) -> None:
    del raw["parameters"]["afbouw"]["waarden"][0]["bron"]
    with pytest.raises(RuleError, match=r"parameters.afbouw.waarden.0.bron"):
        load_regeling(_write(tmp_path, raw))


def test_yaml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    text = (catalog_dir() / "zorgtoeslag.yaml").read_text(encoding="utf-8")
    lines = text.splitlines()
    lines[5] = "eenheid: [persoon"  # unclosed flow sequence on line 6
    with pytest.raises(RuleError, match=r"zorgtoeslag.yaml: line \d+, column \d+: YAML syntax"):
        load_regeling(_write(tmp_path, "\n".join(lines)))


def test_unknown_field_is_named(tmp_path: Path, raw: dict) -> None:
    raw["voorwaarden"][0]["artikel"] = "1"
    with pytest.raises(RuleError, match=r"unknown field 'voorwaarden.0.artikel'"):
        load_regeling(_write(tmp_path, raw))


def test_unknown_column_lists_the_valid_ones(tmp_path: Path, raw: dict) -> None:
    raw["voorwaarden"][2]["expressie"] = "zorgverzekrd"
    with pytest.raises(RuleError) as err:
        load_regeling(_write(tmp_path, raw))
    msg = str(err.value)
    assert "voorwaarden.verzekerd: unknown column 'zorgverzekrd'" in msg
    assert "did you mean 'zorgverzekerd'" in msg
    assert "valid: " in msg and "standaardpremie" in msg and "\n" not in msg


def test_column_not_declared_as_input_is_refused(tmp_path: Path, raw: dict) -> None:
    raw["voorwaarden"][2]["expressie"] = "zorgverzekerd AND woz_waarde >= 0"
    with pytest.raises(RuleError, match=r"column 'woz_waarde' is not listed under 'inputs'"):
        load_regeling(_write(tmp_path, raw))


def test_unknown_function_is_caught_before_a_run(tmp_path: Path, raw: dict) -> None:
    raw["bedrag"]["expressie"] = "flor(toeslag_jaar / 12)"
    with pytest.raises(RuleError, match=r"zorgtoeslag.yaml: bedrag: bad expression: .*flor"):
        load_regeling(_write(tmp_path, raw))


def test_type_error_in_expression_is_caught_before_a_run(tmp_path: Path, raw: dict) -> None:
    raw["voorwaarden"][2]["expressie"] = "zorgverzekerd + geboortedatum"
    with pytest.raises(RuleError, match=r"voorwaarden.verzekerd: bad expression"):
        load_regeling(_write(tmp_path, raw))


def test_subquery_is_not_an_expression(tmp_path: Path, raw: dict) -> None:
    raw["bedrag"]["expressie"] = "(SELECT 1)"
    with pytest.raises(RuleError, match="subqueries are not allowed"):
        load_regeling(_write(tmp_path, raw))


def test_unknown_life_event_is_named(tmp_path: Path, raw: dict) -> None:
    raw["levensgebeurtenissen"] = ["geboorte", "pensioen"]
    with pytest.raises(RuleError, match=r"unknown event 'pensioen'; valid: geboorte"):
        load_regeling(_write(tmp_path, raw))


def test_id_must_match_file_name(tmp_path: Path, raw: dict) -> None:
    with pytest.raises(RuleError, match="must equal the file name"):
        load_regeling(_write(tmp_path, raw, name="zorg.yaml"))


def test_docs_list_every_frame_column() -> None:
    from sandbox.rules import HOUSEHOLD_COLUMNS, PERSON_COLUMNS

    text = (Path(__file__).resolve().parents[2] / "docs" / "rules.md").read_text(encoding="utf-8")
    for column in {*PERSON_COLUMNS, *HOUSEHOLD_COLUMNS}:
        assert f"| `{column}` |" in text, column
