"""Tests for the dataset store: files, hashes, round trip, atomic writes, SDV metadata."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest

from sandbox.dataset import (
    TABLES,
    list_datasets,
    load_dataset,
    read_manifest,
    write_dataset,
)
from sandbox.errors import DatasetError, DatasetExistsError, DatasetNotFoundError
from sandbox.world import Population

FILES = {
    "households.parquet",
    "persons.parquet",
    "events.parquet",
    "manifest.json",
    "metadata.json",
}
MANIFEST = {"kind": "reference", "seed": 7, "period": {"van": "2025-01", "tot": "2026-12"}}


@pytest.fixture(scope="module")
def tables(small_population: Population) -> dict[str, pd.DataFrame]:
    """A few hundred households of the small population, with the persons and events in them."""
    households = small_population.households.head(300)
    persons = small_population.persons[
        small_population.persons["household_id"].isin(households["household_id"])
    ]
    events = small_population.events[
        small_population.events["person_id"].isin(persons["person_id"])
        & small_population.events["household_id"].isin(households["household_id"])
    ]
    frames = {"households": households, "persons": persons, "events": events}
    assert all(len(frame) for frame in frames.values()), "the subset must not be empty"
    return {name: frame.reset_index(drop=True) for name, frame in frames.items()}


@pytest.fixture
def full_tables(small_population: Population) -> dict[str, pd.DataFrame]:
    return {t: getattr(small_population, t) for t in TABLES}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(folder: Path) -> dict[str, tuple[str, int, int]]:
    """Hash, inode and modification time of every file: a rewrite changes at least one."""
    return {
        p.name: (sha256(p), p.stat().st_ino, p.stat().st_mtime_ns) for p in sorted(folder.iterdir())
    }


# --- writing ---------------------------------------------------------------------------


def test_write_dataset_writes_the_five_files_into_the_store(store: Path, tables) -> None:
    path = write_dataset("proef", tables, MANIFEST)
    assert path == store / "proef"
    assert {p.name for p in path.iterdir()} == FILES
    assert sorted(p.name for p in store.iterdir()) == ["proef"]  # no temp folder left


def test_the_manifest_holds_the_sha256_of_every_table_file(store: Path, tables) -> None:
    path = write_dataset("proef", tables, MANIFEST)
    manifest = json.loads((path / "manifest.json").read_text())
    assert manifest["sha256"] == {t: sha256(path / f"{t}.parquet") for t in TABLES}


def test_the_manifest_counts_rows_and_keeps_the_callers_fields(store: Path, tables) -> None:
    path = write_dataset("proef", tables, MANIFEST)
    manifest = json.loads((path / "manifest.json").read_text())
    assert manifest["rows"] == {t: len(tables[t]) for t in TABLES}
    assert manifest["name"] == "proef"
    for key, value in MANIFEST.items():
        assert manifest[key] == value
    assert manifest["created"] and manifest["package_version"]
    assert read_manifest("proef") == manifest


def test_the_parquet_files_hold_the_rows_that_were_written(store: Path, tables) -> None:
    path = write_dataset("proef", tables, MANIFEST)
    for table in TABLES:
        on_disk = pd.read_parquet(path / f"{table}.parquet")
        assert len(on_disk) == len(tables[table])
        assert list(on_disk.columns) == list(tables[table].columns)


def test_load_dataset_round_trips_every_value_and_column_type(store: Path, tables) -> None:
    write_dataset("proef", tables, MANIFEST)
    loaded = load_dataset("proef")
    assert loaded.name == "proef"
    assert loaded.path == store / "proef"
    for table in TABLES:  # exact, datetime unit included
        pd.testing.assert_frame_equal(getattr(loaded, table), tables[table])


@pytest.mark.parametrize("table", TABLES)
def test_a_changed_table_file_is_refused_naming_the_table(store: Path, tables, table: str) -> None:
    path = write_dataset("proef", tables, MANIFEST)
    changed = tables[table].head(len(tables[table]) - 1)  # still valid Parquet, one row less
    changed.to_parquet(path / f"{table}.parquet", index=False)
    with pytest.raises(DatasetError) as info:
        load_dataset("proef")
    assert f"{table}.parquet" in str(info.value)
    assert "proef" in str(info.value)
    assert len(getattr(load_dataset("proef", verify=False), table)) == len(changed)


def test_a_missing_table_file_is_refused_naming_the_table(store: Path, tables) -> None:
    path = write_dataset("proef", tables, MANIFEST)
    (path / "events.parquet").unlink()
    with pytest.raises(DatasetError, match=r"events\.parquet"):
        load_dataset("proef")


def test_writing_an_existing_name_is_refused_and_leaves_the_old_dataset(
    store: Path, tables
) -> None:
    path = write_dataset("proef", tables, MANIFEST)
    before = snapshot(path)
    other = {t: tables[t].head(10) for t in TABLES}
    with pytest.raises(DatasetExistsError) as info:
        write_dataset("proef", other, {**MANIFEST, "seed": 8})
    assert "proef" in str(info.value) and "--overwrite" in str(info.value)
    assert snapshot(path) == before
    assert sorted(p.name for p in store.iterdir()) == ["proef"]


def test_overwrite_replaces_the_dataset(store: Path, tables) -> None:
    write_dataset("proef", tables, MANIFEST)
    other = {t: tables[t].head(10) for t in TABLES}
    write_dataset("proef", other, {**MANIFEST, "seed": 8}, overwrite=True)
    loaded = load_dataset("proef")
    assert loaded.manifest["seed"] == 8
    assert {t: len(getattr(loaded, t)) for t in TABLES} == dict.fromkeys(TABLES, 10)
    assert sorted(p.name for p in store.iterdir()) == ["proef"]  # the old folder is gone


# --- interrupted writes -----------------------------------------------------------------


def test_ctrl_c_while_writing_leaves_nothing_in_the_store(
    store: Path, tables, interrupt_on_second_table
) -> None:
    calls = interrupt_on_second_table()
    with pytest.raises(KeyboardInterrupt):
        write_dataset("proef", tables, MANIFEST)
    assert calls == [2]  # the first table was really written before the interrupt
    assert list(store.iterdir()) == []  # no dataset, no hidden temp folder
    assert list_datasets() == []


def test_ctrl_c_while_overwriting_keeps_the_old_dataset(
    store: Path, tables, interrupt_on_second_table
) -> None:
    path = write_dataset("proef", tables, MANIFEST)
    before = snapshot(path)
    calls = interrupt_on_second_table()
    with pytest.raises(KeyboardInterrupt):
        write_dataset("proef", {t: tables[t].head(10) for t in TABLES}, MANIFEST, overwrite=True)
    assert calls == [2]
    assert sorted(p.name for p in store.iterdir()) == ["proef"]
    assert snapshot(path) == before
    assert len(load_dataset("proef").persons) == len(tables["persons"])


def test_ctrl_c_between_the_two_renames_of_an_overwrite_keeps_a_dataset(
    store: Path, tables, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_dataset("proef", tables, MANIFEST)
    real = Path.rename
    calls: list[str] = []

    def rename(self: Path, target: Path) -> Path:
        calls.append(self.name)
        if len(calls) == 2:  # the old folder is already moved aside; the new one not yet in
            raise KeyboardInterrupt
        return real(self, target)

    monkeypatch.setattr(Path, "rename", rename)
    with pytest.raises(KeyboardInterrupt):
        write_dataset("proef", {t: tables[t].head(10) for t in TABLES}, MANIFEST, overwrite=True)
    assert list_datasets() == ["proef"]


# --- listing and lookup -----------------------------------------------------------------


def test_list_datasets_of_a_store_that_does_not_exist_yet_is_empty(store: Path) -> None:
    assert not store.exists()
    assert list_datasets() == []


def test_list_datasets_ignores_hidden_temp_folders_and_stray_files(store: Path, tables) -> None:
    write_dataset("b-proef", tables, MANIFEST)
    write_dataset("a-proef", tables, MANIFEST)
    for hidden in (".c-proef.tmp-1234abcd", ".d-proef.old-1234abcd"):
        (store / hidden).mkdir(parents=True)
        (store / hidden / "manifest.json").write_text("{}")
    (store / "geen-dataset").mkdir()  # a folder without a manifest
    (store / "notities.txt").write_text("los bestand")
    assert list_datasets() == ["a-proef", "b-proef"]


def test_read_manifest_of_an_unknown_name_lists_the_known_ones(store: Path, tables) -> None:
    write_dataset("a-proef", tables, MANIFEST)
    write_dataset("b-proef", tables, MANIFEST)
    with pytest.raises(DatasetNotFoundError) as info:
        read_manifest("c-proef")
    message = str(info.value)
    assert "\n" not in message
    assert "c-proef" in message
    assert "a-proef" in message and "b-proef" in message


def test_load_dataset_of_an_unknown_name_is_not_found(store: Path) -> None:
    with pytest.raises(DatasetNotFoundError, match="nergens"):
        load_dataset("nergens")


def test_an_unreadable_manifest_is_a_dataset_error(store: Path, tables) -> None:
    path = write_dataset("proef", tables, MANIFEST)
    (path / "manifest.json").write_text("{niet: json")
    with pytest.raises(DatasetError, match="manifest.json"):
        read_manifest("proef")


# --- SDV metadata -----------------------------------------------------------------------
# sdv is imported inside the tests: importing it takes seconds (torch, sdmetrics).


def _sdv_metadata(path: Path):
    from sdv.metadata import Metadata

    return Metadata.load_from_dict(json.loads((path / "metadata.json").read_text()))


def test_the_sdv_metadata_loads_and_validates(store: Path, full_tables) -> None:
    path = write_dataset("proef", full_tables, MANIFEST)
    metadata = _sdv_metadata(path)
    metadata.validate()
    assert set(metadata.tables) == set(TABLES)
    spec = json.loads((path / "metadata.json").read_text())
    links = {(r["child_table_name"], r["child_foreign_key"]) for r in spec["relationships"]}
    assert links == {
        ("persons", "household_id"),
        ("events", "household_id"),
        ("events", "person_id"),
    }
    for table in TABLES:  # every column is described, and no other
        assert set(spec["tables"][table]["columns"]) == set(full_tables[table].columns)


@pytest.mark.filterwarnings("ignore:The datetime format for column:UserWarning")
def test_sdv_accepts_the_stored_tables_keys_and_relationships(store: Path, full_tables) -> None:
    # Only SDV's datetime-format warning is silenced here; the strict test below keeps it.
    path = write_dataset("proef", full_tables, MANIFEST)
    loaded = load_dataset("proef")
    _sdv_metadata(path).validate_data(data={t: getattr(loaded, t) for t in TABLES})


def test_sdv_validates_the_stored_tables_without_warnings(store: Path, full_tables) -> None:
    path = write_dataset("proef", full_tables, MANIFEST)
    loaded = load_dataset("proef")
    _sdv_metadata(path).validate_data(data={t: getattr(loaded, t) for t in TABLES})
