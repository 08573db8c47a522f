"""The population engine: frames replay the population correctly; results match the law."""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pandas as pd
import pytest

from sandbox.rules import build_frames, evaluate, load_catalog, month_starts, select
from sandbox.world import households_on

MONTHS = month_starts(dt.date(2025, 1, 1), dt.date(2025, 12, 1))
JULY = pd.Timestamp("2025-07-01")


@pytest.fixture(scope="module")
def engine(small_population):
    con = duckdb.connect()
    con.register("persons", small_population.persons)
    con.register("households", small_population.households)
    con.register("events", small_population.events)
    build_frames(con, MONTHS)
    evaluate(con, select(load_catalog(), ["zorgtoeslag"]), MONTHS)
    yield con
    con.close()


def test_household_frame_replays_membership_and_children(engine, small_population) -> None:
    persons = small_population.persons
    hh = households_on(persons, small_population.events, JULY)
    age = persons.set_index("person_id").loc[hh.index, "geboortedatum"]
    years = (JULY.year - age.dt.year) - (
        (JULY.month < age.dt.month) | ((JULY.month == age.dt.month) & (JULY.day < age.dt.day))
    )
    size = hh.value_counts()
    frame = (
        engine.execute(
            "SELECT household_id, aantal_personen, kinderen, personen_18_plus "
            "FROM frame_huishouden WHERE peildatum = DATE '2025-07-01'"
        )
        .df()
        .set_index("household_id")
    )
    assert frame["aantal_personen"].to_dict() == size.loc[frame.index].to_dict()
    adults = (years >= 18).groupby(hh).sum()
    assert (frame["personen_18_plus"] == adults.loc[frame.index]).all()
    assert frame["aantal_personen"].sum() == pytest.approx(len(hh), rel=0.01)


def test_yearly_income_is_the_sum_of_the_monthly_rates(engine, small_population) -> None:
    ev = small_population.events
    changed = ev[ev["inkomen"].notna() & (ev["datum"] < "2025-12-01")]
    ids = changed["person_id"].drop_duplicates().head(200).tolist()
    persons = small_population.persons.set_index("person_id")
    expected = {}
    for pid in ids:
        own = ev[(ev["person_id"] == pid) & ev["inkomen"].notna()].sort_values(
            ["datum", "event_id"]
        )
        total = 0.0
        for month in MONTHS:
            day = pd.Timestamp(month)
            born, died = persons.at[pid, "geboortedatum"], persons.at[pid, "overlijdensdatum"]
            if born > day or (pd.notna(died) and died <= day):
                continue
            before = own[own["datum"] <= day]
            total += (
                before["inkomen"].iloc[-1] if len(before) else persons.at[pid, "inkomen"]
            ) / 12
        expected[pid] = round(total, 2)
    got = engine.execute(
        "SELECT person_id, any_value(inkomen) FROM frame_persoon "
        f"WHERE person_id IN ({', '.join(map(str, ids))}) GROUP BY person_id"
    ).fetchall()
    assert len(got) >= 150
    for pid, inkomen in got:
        assert inkomen == pytest.approx(expected[pid], abs=0.02)


def test_zorgtoeslag_matches_an_independent_calculation(engine) -> None:
    f = engine.execute(
        "SELECT f.*, r.recht, r.bedrag_maand FROM frame_persoon f JOIN rechten r "
        "ON r.unit_id = f.person_id AND r.peildatum = f.peildatum "
        "WHERE r.regeling = 'zorgtoeslag' AND f.peildatum = DATE '2025-07-01'"
    ).df()
    # Wzt 2025: standaardpremie 2,112; drempel 28,406; 1.896% / 4.273%; 13.7%; min 24 a year.
    partner = f["heeft_partner"].to_numpy()
    income = f["inkomen"] + np.where(partner, f["partner_inkomen"].fillna(0), 0)
    norm = np.where(partner, 0.04273, 0.01896) * 28406 + 0.137 * np.maximum(income - 28406, 0)
    premium = np.where(partner, 2 * 2112, 2112)
    half = np.where(partner & ~f["partner_zorgverzekerd"].fillna(False).astype(bool), 0.5, 1.0)
    yearly = np.floor(np.maximum(premium - norm, 0) * half + 0.5)
    wealth = f["vermogen"] + np.where(partner, f["partner_vermogen"].fillna(0), 0)
    born = pd.to_datetime(f["geboortedatum"])
    adult = born <= pd.Timestamp("2025-06-30") - pd.DateOffset(years=18)
    ok = (
        adult
        & (f["rol"] != "partner")
        & f["zorgverzekerd"]
        & (wealth <= np.where(partner, 179429, 141896))
        & (yearly >= 24)
    )
    assert (f["recht"] == ok).all()
    expected = np.where(ok, np.floor(yearly / 12), 0)
    assert np.allclose(f["bedrag_maand"], expected)
    assert 0.15 < ok.mean() < 0.6  # a real share of adults is entitled


def test_a_gemeente_can_override_a_parameter(tmp_path) -> None:
    import yaml

    from sandbox.rules import Case, calc, catalog_dir, load_regeling

    raw = yaml.safe_load((catalog_dir() / "zorgtoeslag.yaml").read_text(encoding="utf-8"))
    raw["parameters"]["standaardpremie"]["waarden"].append(
        {
            "vanaf": "2025-01-01",
            "waarde": 3000.0,
            "gemeente": "GM0363",
            "bron": "testwaarde: een gemeente met eigen beleid",
        }
    )
    path = tmp_path / "zorgtoeslag.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    reg = load_regeling(path)

    def amount(gemeente: str) -> float:
        case = Case.model_validate(
            {
                "peildatum": "2025-05-01",
                "huishouden": {"gemeente_code": gemeente, "woonsituatie": "huur_vrij"},
                "personen": [{"id": "a", "rol": "aanvrager", "geboortedatum": "1980-01-01"}],
            }
        )
        return calc(case, [reg])[0]["bedrag_maand"]

    # 3,000 - 1.896% x 28,406 = 2,461.42 -> 2,461 a year -> floor(2,461 / 12) = 205.
    assert amount("GM0363") == 205
    assert amount("GM0599") == 131  # the default policy elsewhere
