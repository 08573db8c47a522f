"""Fixtures for the synthesis tests: a small source dataset and a synthesizer fitted on it once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from sandbox.dataset import write_dataset
from sandbox.world import Population

SOURCE = "bron"
SOURCE_HOUSEHOLDS = 900  # households of nl-small kept as the source: fits in seconds
PEILDATUM = pd.Timestamp("2025-01-01")


@pytest.fixture(scope="session")
def synth_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """A dataset store, sandbox home and MLflow store shared by the synthesis tests."""
    root = tmp_path_factory.mktemp("synth")
    paths = {"datasets": root / "datasets", "home": root / "home"}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SANDBOX_DATASETS", str(paths["datasets"]))
        mp.setenv("SANDBOX_HOME", str(paths["home"]))
        mp.delenv("MLFLOW_TRACKING_URI", raising=False)
        yield paths


def source_tables(population: Population, households: int) -> dict[str, pd.DataFrame]:
    """The first ``households`` households of a population with their members and events."""
    hh = population.households
    hh = hh[hh["ontstaan"].isna() & (hh["household_id"] < households)]
    persons = population.persons
    persons = persons[persons["household_id"].isin(hh["household_id"])]
    persons = persons[persons["geboortedatum"] < PEILDATUM]
    events = population.events
    events = events[events["person_id"].isin(persons["person_id"])]
    return {"households": hh, "persons": persons, "events": events}


@pytest.fixture(scope="session")
def make_source():
    """The helper that cuts a small source out of a population."""
    return source_tables


@pytest.fixture(scope="session")
def source_dataset(synth_env, small_population: Population) -> str:
    """A reference dataset of 900 households in the session store."""
    tables = source_tables(small_population, SOURCE_HOUSEHOLDS)
    manifest = {
        "kind": "reference",
        "parent": None,
        "seed": 7,
        "period": {"van": "2025-01", "tot": "2026-12"},
    }
    write_dataset(SOURCE, tables, manifest)
    return SOURCE


@pytest.fixture(scope="session")
def synthesizer(source_dataset: str):
    """A GaussianCopula synthesizer fitted on the source and saved as 'proef'."""
    from sandbox.synth import fit_synthesizer

    _, syn = fit_synthesizer(source_dataset, "gaussian_copula", "proef", seed=3)
    return syn


@pytest.fixture(scope="session")
def sampled(synthesizer):
    """A population of 700 households sampled from 'proef' (not written)."""
    from sandbox.synth import sample_population

    return sample_population(synthesizer, 700, seed=11)


def _count_violations(hh: pd.DataFrame, p: pd.DataFrame, day: pd.Timestamp) -> dict[str, int]:
    p = p.assign(age=(day - p["geboortedatum"]).dt.days / 365.2425)
    heads = p[p["rol"] == "aanvrager"][["household_id", "age"]].rename(columns={"age": "a"})
    partners = p[p["rol"] == "partner"][["household_id", "age"]].rename(columns={"age": "b"})
    kids = p[p["rol"] == "kind"].merge(heads, on="household_id", how="left")
    kids = kids.merge(partners, on="household_id", how="left")
    too_young = ((kids["a"] - kids["age"]) < 15) | ((kids["b"] - kids["age"]) < 15)
    couples = heads.merge(partners, on="household_id")
    adults = p[p["rol"].isin(["aanvrager", "partner"])]
    renter = hh["woonsituatie"].isin(["huur_sociaal", "huur_vrij"])
    bad_rent = (renter & (hh["kale_huur"].isna() | hh["servicekosten"].isna())) | (
        ~renter & (hh["kale_huur"].notna() | hh["servicekosten"].notna())
    )
    owner = hh["woonsituatie"] == "koop"
    bad_woz = owner != hh["woz_waarde"].notna()
    negative = sum(
        int((frame[c] < 0).sum())
        for frame, cols in (
            (p, ["inkomen", "vermogen"]),
            (hh, ["kale_huur", "servicekosten", "woz_waarde"]),
        )
        for c in cols
    )
    status = p["arbeidsstatus"]
    bad_work = (
        ((p["age"] < 18) & (status != "overig"))
        | ((p["age"] >= 67) & (status != "gepensioneerd"))
        | ((status == "gepensioneerd") & (p["age"] < 60))
        | ((p["age"] < 15) & (p["inkomen"] != 0))
        | ((p["age"] >= 16) != p["digitale_vaardigheid"].notna())
    )
    return {
        "kinderen_jonger_dan_ouders": int(too_young.sum()),
        "partnerleeftijd_plausibel": int(((couples["b"] - couples["a"]).abs() > 20).sum())
        + int((adults["age"] < 6574 / 365.2425).sum()),
        "huur_alleen_voor_huurders": int(bad_rent.sum()),
        "woz_alleen_voor_eigenaren": int(bad_woz.sum()),
        "geen_negatieve_bedragen": negative,
        "arbeid_past_bij_leeftijd": int(bad_work.sum()),
    }


@pytest.fixture(scope="session")
def independent_violations():
    """Rule violations counted by the tests' own code, to compare with the library's count."""
    return _count_violations
