"""Flat household rows: what they hold, and that expanding them gives the households back."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sandbox.synth.flat import DAYS_PER_YEAR, expand, flatten, household_view

PEILDATUM = pd.Timestamp("2025-01-01")


def _ages(persons: pd.DataFrame) -> pd.Series:
    return (PEILDATUM - persons["geboortedatum"]).dt.days / 365.2425


def test_a_flat_row_summarises_the_household_as_its_members_show_it(small_population, make_source):
    tables = make_source(small_population, 400)
    hh, persons = tables["households"], tables["persons"]
    flat, members, left_out = flatten(hh, persons, PEILDATUM)
    assert left_out == 0 and len(flat) == len(hh)
    age = _ages(persons)
    for _, row in flat.sample(60, random_state=1).iterrows():
        mine = persons[persons["household_id"] == row["household_id"]]
        a = age[mine.index[mine["rol"] == "aanvrager"]].iloc[0]
        assert abs(row["a_leeftijd"] - a) < 1e-9
        kids = age[mine.index[mine["rol"] == "kind"]]
        if len(kids):
            assert row["k_aantal"] == len(kids)
            assert abs(row["k_oudste_verschil"] - (a - kids.max())) < 1e-9
            assert abs(row["k_jongste_verschil"] - (a - kids.min())) < 1e-9
        else:
            assert np.isnan(row["k_aantal"])
        partner = age[mine.index[mine["rol"] == "partner"]]
        if len(partner):
            assert abs(row["p_leeftijd_verschil"] - (partner.iloc[0] - a)) < 1e-9
    assert len(members) == int(persons["rol"].isin(["kind", "overig"]).sum())


def test_expanding_flat_rows_gives_back_members_birth_dates_and_housing(
    small_population, make_source
):
    tables = make_source(small_population, 300)
    hh, persons = tables["households"], tables["persons"]
    flat, members, _ = flatten(hh, persons, PEILDATUM)
    # Members keep their own ages here (no model), with the flat row as household.
    row_of = {hid: i for i, hid in enumerate(flat["household_id"])}
    slots = members.assign(household_id=members["household_id"].map(row_of))
    by_rol = {rol: slots[slots["rol"] == rol] for rol in ("kind", "overig")}
    out_hh, out_p = expand(flat, by_rol, PEILDATUM, np.random.default_rng(0))
    assert len(out_hh) == len(hh) and len(out_p) == len(persons)
    original = hh.set_index("household_id")
    for col in ("woonsituatie", "gemeente_code"):
        assert (out_hh[col].to_numpy() == original.loc[flat["household_id"], col].to_numpy()).all()
    want = persons.assign(row=persons["household_id"].map(row_of))
    want = want.sort_values(["row", "rol", "geboortedatum"])[["row", "rol", "geboortedatum"]]
    got = out_p.sort_values(["household_id", "rol", "geboortedatum"])
    # Birth dates come back to the day (ages are rounded to whole days).
    days = np.abs(got["geboortedatum"].to_numpy() - want["geboortedatum"].to_numpy())
    assert (days <= np.timedelta64(1, "D")).all()
    assert (got["rol"].to_numpy() == want["rol"].to_numpy()).all()


def test_the_household_view_counts_members_and_gives_absolute_ages(small_population, make_source):
    tables = make_source(small_population, 200)
    view = household_view(tables["households"], tables["persons"], PEILDATUM)
    sizes = tables["persons"].groupby("household_id").size().sort_index()
    assert sorted(view["grootte"].tolist()) == sorted(sizes.tolist())
    couples = view["p_leeftijd"].notna()
    assert (view.loc[couples, "p_leeftijd"] >= 17.99).all()
    assert DAYS_PER_YEAR == 365.2425
