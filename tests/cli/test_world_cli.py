"""Tests for `sandbox world`: exit codes, one-line errors, nothing written on failure."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from cli_helpers import invoke
from typer.testing import Result

import sandbox.world.store
from sandbox.dataset import TABLES, load_dataset, write_dataset
from sandbox.world.calibration import load_calibration

ROOT = Path(__file__).resolve().parents[2]
RECIPES = ROOT / "synthetic" / "recipes"
FILES = {
    "households.parquet",
    "persons.parquet",
    "events.parquet",
    "manifest.json",
    "metadata.json",
}
HEADER = ("groep", "statistiek", "CBS", "dataset", "verschil")
AGE_BANDS = ("0-19", "20-64", "65-79", "80+")


def one_line_error(result: Result) -> str:
    """The error the CLI printed: exactly one non-empty line on stderr, nothing on stdout."""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line on stderr, got {result.stderr!r}"
    assert result.stdout.strip() == ""
    return lines[0]


def snapshot(folder: Path) -> dict[str, tuple[str, int, int]]:
    """Hash, inode and modification time of every file: a rewrite changes at least one."""
    return {
        p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_ino, p.stat().st_mtime_ns)
        for p in sorted(folder.iterdir())
    }


def store_is_empty(store: Path) -> bool:
    return not store.exists() or not any(store.iterdir())


def table_rows(output: str) -> dict[tuple[str, str], list[str]]:
    """The cells of the check table, keyed by (groep, statistiek)."""
    rows = {}
    for line in output.splitlines():
        cells = [cell.strip() for cell in re.split(r"[│|┃]", line)[1:-1]]
        if len(cells) == 6 and cells[0] and cells[0] not in HEADER:
            rows[(cells[0], cells[1])] = cells
    return rows


# --- help -------------------------------------------------------------------------------


def test_sandbox_help_points_to_the_world_commands() -> None:
    result = invoke("--help")
    assert result.exit_code == 0
    for word in ("world", "generate", "check"):
        assert word in result.stdout


def test_world_help_lists_generate_check_and_list() -> None:
    result = invoke("world", "--help")
    assert result.exit_code == 0
    for command in ("generate", "check", "list"):
        assert re.search(rf"\b{command}\b", result.stdout), command


# --- generate ---------------------------------------------------------------------------


def test_generate_writes_a_reference_dataset_under_the_given_name(store: Path) -> None:
    result = invoke("world", "generate", "nl-small", "--persons", "2000", "--name", "t1")
    assert result.exit_code == 0, result.output
    assert re.search(r"\bt1\b", result.stdout)
    assert {p.name for p in (store / "t1").iterdir()} == FILES
    manifest = json.loads((store / "t1" / "manifest.json").read_text())
    assert manifest["name"] == "t1"
    assert manifest["kind"] == "reference"
    assert manifest["recipe"]["persons"] == 2000  # the override reached the generator
    assert manifest["seed"] == 7  # nl-small's seed, from synthetic/recipes/nl-small.yaml
    assert sorted(p.name for p in store.iterdir()) == ["t1"]  # no temp folder left behind


def test_generate_refuses_an_existing_name_and_leaves_it_untouched(store: Path) -> None:
    assert invoke("world", "generate", "nl-small", "-n", "2000", "--name", "t1").exit_code == 0
    before = snapshot(store / "t1")
    created = json.loads((store / "t1" / "manifest.json").read_text())["created"]

    result = invoke("world", "generate", "nl-small", "-n", "2000", "--name", "t1")
    assert result.exit_code == 2
    error = one_line_error(result)
    assert "--overwrite" in error and "t1" in error
    assert snapshot(store / "t1") == before
    assert json.loads((store / "t1" / "manifest.json").read_text())["created"] == created


def test_generate_with_overwrite_replaces_the_dataset(store: Path) -> None:
    assert invoke("world", "generate", "nl-small", "-n", "2000", "--name", "t1").exit_code == 0
    old_inode = (store / "t1" / "manifest.json").stat().st_ino

    result = invoke("world", "generate", "nl-small", "-n", "1000", "--name", "t1", "--overwrite")
    assert result.exit_code == 0, result.output
    manifest = json.loads((store / "t1" / "manifest.json").read_text())
    assert manifest["recipe"]["persons"] == 1000
    assert (store / "t1" / "manifest.json").stat().st_ino != old_inode
    assert sorted(p.name for p in store.iterdir()) == ["t1"]  # the old folder is gone


@pytest.mark.parametrize("persons", ["0", "-5"])
def test_generate_refuses_a_non_positive_size_and_writes_nothing(store: Path, persons: str) -> None:
    result = invoke("world", "generate", "nl-small", "--persons", persons, "--name", "t1")
    assert result.exit_code == 2
    assert "persons" in one_line_error(result)
    assert store_is_empty(store)


def test_generate_refuses_a_bad_dataset_name(store: Path) -> None:
    result = invoke("world", "generate", "nl-small", "-n", "2000", "--name", "Mijn Data")
    assert result.exit_code == 2
    assert "Mijn Data" in one_line_error(result)
    assert store_is_empty(store)


def test_generate_of_an_unknown_recipe_lists_the_known_ones(store: Path) -> None:
    result = invoke("world", "generate", "nl-groot")
    assert result.exit_code == 2
    error = one_line_error(result)
    assert "nl-groot" in error
    for name in ("nl-default", "nl-small", "nl-full"):
        assert name in error
    assert store_is_empty(store)


def test_generate_from_a_recipe_file_with_an_unknown_field_names_it(
    store: Path, tmp_path: Path
) -> None:
    recipe = tmp_path / "eigen.yaml"
    recipe.write_text("name: eigen\npersons: 500\nkleur: rood\n")
    result = invoke("world", "generate", str(recipe))
    assert result.exit_code == 2
    error = one_line_error(result)
    assert "kleur" in error and "eigen.yaml" in error
    assert store_is_empty(store)


def test_ctrl_c_during_generate_exits_130_and_writes_nothing(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(sandbox.world.store, "generate", interrupted)
    result = invoke("world", "generate", "nl-small", "-n", "2000", "--name", "t1")
    assert result.exit_code == 130
    assert result.stderr.strip()  # says it was interrupted
    assert store_is_empty(store)


def test_ctrl_c_while_the_tables_are_written_exits_130_and_writes_nothing(
    store: Path, interrupt_on_second_table
) -> None:
    calls = interrupt_on_second_table()
    result = invoke("world", "generate", "nl-small", "-n", "2000", "--name", "t1")
    assert result.exit_code == 130
    assert calls == [2]
    assert store_is_empty(store)


# --- list -------------------------------------------------------------------------------


def test_list_shows_the_generated_dataset(store: Path) -> None:
    assert invoke("world", "generate", "nl-small", "-n", "1000", "--name", "t1").exit_code == 0
    result = invoke("world", "list")
    assert result.exit_code == 0
    assert re.search(r"\bt1\b", result.stdout)


def test_list_of_an_empty_store_succeeds(store: Path) -> None:
    result = invoke("world", "list")
    assert result.exit_code == 0
    assert "t1" not in result.stdout


# --- check ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def reference_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding nl-small at its default 20,000 persons, generated once for the module."""
    datasets = tmp_path_factory.mktemp("reference") / "datasets"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SANDBOX_DATASETS", str(datasets))
        mp.setenv("SANDBOX_RECIPES", str(RECIPES))
        assert invoke("world", "generate", "nl-small").exit_code == 0
    return datasets


@pytest.fixture
def reference(reference_store: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SANDBOX_DATASETS", str(reference_store))
    return reference_store


def test_check_of_the_small_reference_shows_the_cbs_figures(reference: Path) -> None:
    result = invoke("world", "check", "nl-small")
    assert result.exit_code in (0, 1)  # 1 when a figure falls outside its margin
    for column in HEADER:
        assert column in result.stdout
    rows = table_rows(result.stdout)
    cal = load_calibration()
    for band in AGE_BANDS:  # the CBS column holds the calibration figure of each age band
        assert rows[("leeftijd", band)][2] == f"{cal.value('leeftijd', band):.1%}"
    groups = {groep for groep, _ in rows}
    assert {"leeftijd", "huishoudtype", "woonsituatie", "arbeid", "gebeurtenissen"} <= groups


def write_altered_copy(name: str, alter) -> None:
    """Write nl-small under ``name`` with ``alter(persons, start)`` applied to its persons."""
    data = load_dataset("nl-small")
    start = pd.Timestamp(data.manifest["period"]["van"] + "-01")
    persons = alter(data.persons.copy(), start)
    write_dataset(name, {t: getattr(data, t) for t in TABLES} | {"persons": persons}, data.manifest)


def forty_years_older(persons: pd.DataFrame, start: pd.Timestamp) -> pd.DataFrame:
    """Everyone alive at the start is born 40 years earlier; babies of the period stay."""
    born = persons["geboortedatum"] < start
    persons.loc[born, "geboortedatum"] -= pd.DateOffset(years=40)
    return persons


def everyone_a_child(persons: pd.DataFrame, start: pd.Timestamp) -> pd.DataFrame:
    persons["rol"] = "kind"
    return persons


def test_check_flags_a_population_forty_years_too_old(reference: Path) -> None:
    good = table_rows(invoke("world", "check", "nl-small").stdout)
    assert good[("leeftijd", "0-19")][5] == "ok"  # the generator hits the age bands

    write_altered_copy("nl-small-oud", forty_years_older)
    result = invoke("world", "check", "nl-small-oud")
    assert result.exit_code == 1
    assert "BUITEN MARGE" in result.stdout
    bad = table_rows(result.stdout)
    assert bad[("leeftijd", "0-19")][5] == "BUITEN MARGE"
    assert bad[("leeftijd", "80+")][5] == "BUITEN MARGE"


def test_check_flags_a_population_of_only_children(reference: Path) -> None:
    good = table_rows(invoke("world", "check", "nl-small").stdout)
    assert good[("huishoudpositie", "thuiswonend_kind")][5] == "ok"

    write_altered_copy("nl-small-kinderen", everyone_a_child)
    result = invoke("world", "check", "nl-small-kinderen")
    assert result.exit_code == 1
    bad = table_rows(result.stdout)
    failed = {key[1] for key, cells in bad.items() if cells[5] == "BUITEN MARGE"}
    assert {"thuiswonend_kind", "partner_met_kinderen"} <= failed


def test_check_of_persons_outside_the_start_households_does_not_crash(reference: Path) -> None:
    def everyone_older(persons: pd.DataFrame, start: pd.Timestamp) -> pd.DataFrame:
        persons["geboortedatum"] -= pd.DateOffset(years=40)  # babies of the period too
        return persons

    write_altered_copy("nl-small-scheef", everyone_older)
    data = load_dataset("nl-small-scheef")
    start_homes = data.households.loc[data.households["ontstaan"].isna(), "household_id"]
    assert (~data.persons["household_id"].isin(start_homes)).any()  # the case under test
    result = invoke("world", "check", "nl-small-scheef")  # asserts: no uncaught exception
    assert result.exit_code in (1, 2)


def test_check_of_an_unknown_dataset_exits_2_with_one_line(reference: Path) -> None:
    result = invoke("world", "check", "nope")
    assert result.exit_code == 2
    error = one_line_error(result)
    assert "nope" in error and "nl-small" in error  # names the known datasets


def test_check_of_a_changed_dataset_exits_2_naming_the_table(store: Path) -> None:
    assert invoke("world", "generate", "nl-small", "-n", "1000", "--name", "t1").exit_code == 0
    persons = store / "t1" / "persons.parquet"
    pd.read_parquet(persons).head(10).to_parquet(persons, index=False)
    result = invoke("world", "check", "t1")
    assert result.exit_code == 2
    assert "persons.parquet" in one_line_error(result)
