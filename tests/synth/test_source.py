"""Sources: datasets and extracts, and the one-line errors for bad ones."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sandbox.errors import DatasetNotFoundError, SynthError
from sandbox.synth import (
    HOUSEHOLD_COLUMNS,
    PERSON_COLUMNS,
    fit_synthesizer,
    read_source,
    synthesizers_dir,
    write_template,
)


def write_extract(folder: Path, tables: dict, fmt: str = "csv") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    hh = tables["households"][list(HOUSEHOLD_COLUMNS)]
    p = tables["persons"][[*PERSON_COLUMNS, "tussenvoegsel"]]
    if fmt == "csv":
        hh.to_csv(folder / "households.csv", index=False)
        p.to_csv(folder / "persons.csv", index=False)
    else:
        hh.to_parquet(folder / "households.parquet")
        p.to_parquet(folder / "persons.parquet")
    return folder


def test_an_extract_reads_like_the_dataset_it_came_from(tmp_path, small_population, make_source):
    tables = make_source(small_population, 250)
    source = read_source(str(write_extract(tmp_path / "x", tables)))
    assert source.kind == "extract" and len(source.households) == 250
    assert len(source.persons) == len(tables["persons"])
    # The household type follows from the roles, as the reference assigned it.
    want = tables["households"].set_index("household_id")["huishoudtype"].astype(str)
    got = source.households.set_index("household_id")["huishoudtype"]
    assert (got.sort_index() == want.sort_index()).all()
    assert source.persons["inkomen"].sum() == pytest.approx(tables["persons"]["inkomen"].sum())


def test_missing_columns_are_listed(tmp_path, small_population, make_source):
    tables = make_source(small_population, 50)
    folder = write_extract(tmp_path / "x", tables)
    p = pd.read_csv(folder / "persons.csv").drop(columns=["inkomen", "rol"])
    p.to_csv(folder / "persons.csv", index=False)
    with pytest.raises(SynthError, match="missing required columns rol, inkomen"):
        read_source(str(folder))


def test_a_non_numeric_income_names_the_column_and_the_bad_rows(
    tmp_path, small_population, make_source
):
    tables = make_source(small_population, 50)
    folder = write_extract(tmp_path / "x", tables)
    p = pd.read_csv(folder / "persons.csv", dtype=str)
    p.loc[[2, 5, 9], "inkomen"] = ["€ 30.000", "veel", "n.v.t."]
    p.to_csv(folder / "persons.csv", index=False)
    with pytest.raises(SynthError, match=r"column 'inkomen' is not numeric in 3 rows"):
        read_source(str(folder))


def test_an_unknown_dataset_and_an_unknown_model_are_refused(synth_env):
    with pytest.raises(DatasetNotFoundError, match="no dataset 'bestaat-niet'"):
        read_source("bestaat-niet")
    with pytest.raises(SynthError, match="unknown model 'gan'"):
        fit_synthesizer("bestaat-niet", "gan", "x")
    assert not (synthesizers_dir() / "x").exists()


def test_a_source_too_small_to_fit_is_refused_before_anything_is_written(
    tmp_path, synth_env, small_population, make_source
):
    folder = write_extract(tmp_path / "klein", make_source(small_population, 100), "parquet")
    with pytest.raises(SynthError, match="has 100 usable households; at least 250"):
        fit_synthesizer(str(folder), "gaussian_copula", "te-klein")
    assert not (synthesizers_dir() / "te-klein").exists()


def test_the_template_holds_every_required_column_and_reads_as_an_empty_extract(tmp_path):
    folder = write_template(tmp_path / "voorbeeld")
    assert list(pd.read_csv(folder / "households.csv").columns) == list(HOUSEHOLD_COLUMNS)
    assert set(PERSON_COLUMNS) <= set(pd.read_csv(folder / "persons.csv").columns)
    assert "inkomen" in (folder / "LEESMIJ.txt").read_text()
    with pytest.raises(SynthError, match="already holds"):
        write_template(folder)


def test_unknown_gemeente_codes_are_named(tmp_path, small_population, make_source):
    folder = write_extract(tmp_path / "x", make_source(small_population, 50))
    hh = pd.read_csv(folder / "households.csv")
    hh.loc[:1, "gemeente_code"] = "GM9999"
    hh.to_csv(folder / "households.csv", index=False)
    with pytest.raises(SynthError, match=r"unknown gemeente codes \['GM9999'\] in 2 rows"):
        read_source(str(folder))
