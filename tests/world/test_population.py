"""Consistency of the generated population: households, identities, BSNs and life events."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sandbox.world import addresses_on, alive_on, check_population, households_on

WEIGHTS = np.array([9, 8, 7, 6, 5, 4, 3, 2, -1])


def elfproef(bsn: str) -> bool:
    """The elfproef as the BRP defines it, written out independently of the library."""
    digits = np.array([int(c) for c in bsn])
    return len(bsn) == 9 and int(digits @ WEIGHTS) % 11 == 0


@pytest.fixture(scope="module")
def tables(small_population):
    return small_population.persons, small_population.households, small_population.events


@pytest.fixture(scope="module")
def start(tables):
    persons, households, _ = tables
    first = pd.Timestamp("2025-01-01")
    people = persons[persons["geboortedatum"] < first].copy()
    people["leeftijd"] = (first - people["geboortedatum"]).dt.days / 365.2425
    return people, households[households["ontstaan"].isna()]


def test_every_household_starts_with_one_aanvrager_and_at_most_one_partner(start):
    people, homes = start
    roles = people.pivot_table(index="household_id", columns="rol", aggfunc="size", fill_value=0)
    assert set(roles.index) == set(homes["household_id"])
    assert (roles["aanvrager"] == 1).all()
    assert (roles["partner"] <= 1).all()


def test_household_types_match_their_members(start):
    people, homes = start
    roles = people.pivot_table(index="household_id", columns="rol", aggfunc="size", fill_value=0)
    kind = homes.set_index("household_id")["huishoudtype"].reindex(roles.index)
    assert ((roles["partner"] == 1) == kind.isin(["paar", "paar_kinderen"])).all()
    assert ((roles["kind"] > 0) == kind.isin(["paar_kinderen", "eenouder"])).all()
    assert ((roles["overig"] > 0) == (kind == "overig")).all()


def test_children_are_plausibly_younger_than_their_parents(start):
    people, _ = start
    parents = people[people["rol"].isin(["aanvrager", "partner"])]
    kids = people[people["rol"] == "kind"]
    pairs = kids.merge(parents, on="household_id", suffixes=("_kind", "_ouder"))
    gap = pairs["leeftijd_ouder"] - pairs["leeftijd_kind"]
    assert len(pairs) > 1000
    assert gap.min() >= 15, "a parent less than 15 years older than a child"
    assert gap.max() <= 55


def test_partners_have_plausible_age_gaps(start):
    people, _ = start
    couples = people[people["rol"] == "aanvrager"].merge(
        people[people["rol"] == "partner"], on="household_id"
    )
    gap = (couples["leeftijd_x"] - couples["leeftijd_y"]).abs()
    assert gap.max() <= 20
    assert 1.5 <= gap.mean() <= 6


def test_children_carry_the_surname_of_a_parent(start):
    people, _ = start
    heads = people[people["rol"] == "aanvrager"].set_index("household_id")
    kids = people[people["rol"] == "kind"]
    surname = heads["achternaam"].reindex(kids["household_id"]).to_numpy()
    prefix = heads["tussenvoegsel"].reindex(kids["household_id"]).to_numpy()
    assert (kids["achternaam"].to_numpy() == surname).all()
    assert (kids["tussenvoegsel"].to_numpy() == prefix).all()


def test_every_person_has_a_name_and_sex(tables):
    persons, _, _ = tables
    assert persons["voornaam"].str.len().min() > 1
    assert persons["achternaam"].str.len().min() > 1
    assert set(persons["geslacht"]) == {"M", "V"}


def test_bsns_are_unique_elfproef_valid_and_in_the_test_range(small_population):
    bsn = small_population.persons["bsn"]
    assert bsn.is_unique
    assert bsn.str.fullmatch(r"999\d{6}").all()
    valid = bsn.map(elfproef)
    # 20,000 persons fit in the ~90,909 valid numbers of the 999 range: all must be valid.
    assert valid.all()
    assert small_population.bsn["elfproef_geldig"] == int(valid.sum())
    assert small_population.bsn["elfproef_ongeldig"] == 0


def test_one_address_per_household_at_start_and_end(tables):
    persons, households, events = tables
    homes = households[households["ontstaan"].isna()]
    assert not homes.duplicated(["straat", "huisnummer", "woonplaats"]).any()
    assert homes["postcode"].str.fullmatch(r"[1-9]\d{3} [A-Z]{2}").all()
    end = pd.Timestamp("2026-12-31")
    occupied = addresses_on(households, events, end)
    occupied = occupied[occupied.index.isin(households_on(persons, events, end).to_numpy())]
    assert not occupied.duplicated(["straat", "huisnummer", "woonplaats"]).any()


def test_nobody_acts_after_death(tables):
    persons, _, events = tables
    died = persons.set_index("person_id")["overlijdensdatum"].dropna()
    assert len(died) > 100
    deaths = events[events["soort"] == "overlijden"]
    assert deaths["person_id"].is_unique
    assert set(deaths["person_id"]) == set(died.index)
    when = died.reindex(events["person_id"]).to_numpy()
    after = events["datum"].to_numpy() > when  # NaT compares False
    assert not after.any(), events[after].head()


def test_nobody_acts_before_birth(tables):
    persons, _, events = tables
    born = persons.set_index("person_id")["geboortedatum"].reindex(events["person_id"])
    assert (events["datum"].to_numpy() >= born.to_numpy()).all()


def test_a_birth_adds_a_person_with_identity_in_a_household_with_a_mother(tables):
    persons, _, events = tables
    births = events[events["soort"] == "geboorte"]
    assert len(births) > 100
    babies = persons.set_index("person_id").loc[births["person_id"]]
    assert (babies["geboortedatum"].to_numpy() == births["datum"].to_numpy()).all()
    assert (babies["household_id"].to_numpy() == births["household_id"].to_numpy()).all()
    assert babies["bsn"].notna().all() and (babies["rol"] == "kind").all()
    for _, birth in births.sample(40, random_state=1).iterrows():
        members = households_on(persons, events, birth["datum"])
        home = persons.set_index("person_id").loc[members[members == birth["household_id"]].index]
        age = (birth["datum"] - home["geboortedatum"]).dt.days / 365.2425
        assert ((home["geslacht"] == "V") & age.between(15, 50)).any()


def test_a_household_move_moves_every_member_to_the_new_address(tables):
    persons, households, events = tables
    moves = events[(events["soort"] == "verhuizing") & events["nieuw_household_id"].isna()]
    groups = list(moves.groupby(["household_id", "datum"]))
    assert len(groups) > 100
    for (hid, day), rows in groups[:: max(1, len(groups) // 60)]:
        members = households_on(persons, events, day)
        assert set(members[members == hid].index) == set(rows["person_id"])
        assert rows[["straat", "huisnummer", "postcode"]].nunique().max() == 1
        address = addresses_on(households, events, day).loc[hid]
        assert address["straat"] == rows["straat"].iloc[0]


def test_a_separation_creates_a_household_with_its_own_address(tables):
    persons, households, events = tables
    splits = events[(events["soort"] == "scheiding") & events["nieuw_household_id"].notna()]
    assert len(splits) > 20
    new = households.set_index("household_id").loc[splits["nieuw_household_id"].astype(int)]
    assert (new["ontstaan"].to_numpy() == splits["datum"].to_numpy()).all()
    assert (new["ontstaan_door"] == "scheiding").all()
    stayers = events[(events["soort"] == "scheiding") & events["nieuw_household_id"].isna()]
    assert len(stayers) == len(splits)
    for _, split in splits.head(30).iterrows():
        addr = addresses_on(households, events, split["datum"])
        old, new_id = split["household_id"], int(split["nieuw_household_id"])
        assert tuple(addr.loc[old, ["straat", "huisnummer", "woonplaats"]]) != tuple(
            addr.loc[new_id, ["straat", "huisnummer", "woonplaats"]]
        )
        members = households_on(persons, events, split["datum"])
        assert members[split["person_id"]] == new_id
        assert members.get(int(split["partner_id"])) == old


def test_partners_share_a_household_after_a_partnership(tables):
    persons, _, events = tables
    unions = events[(events["soort"] == "partnerschap") & events["nieuw_household_id"].notna()]
    assert len(unions) > 30
    for _, union in unions.head(40).iterrows():
        members = households_on(persons, events, union["datum"])
        assert members[union["person_id"]] == members[int(union["partner_id"])]


@pytest.mark.parametrize(("soort", "years"), [("achttien_jaar", 18), ("aow_leeftijd", 67)])
def test_birthday_events_fall_on_the_birthday(tables, soort, years):
    persons, _, events = tables
    rows = events[events["soort"] == soort]
    assert len(rows) > 50
    born = persons.set_index("person_id").loc[rows["person_id"], "geboortedatum"]
    expected = born + pd.DateOffset(years=years)  # 29 February → 28 February
    off = (rows["datum"].to_numpy() - expected.to_numpy()).astype("timedelta64[D]").astype(int)
    assert ((off == 0) | ((off == 1) & (born.dt.strftime("%m-%d") == "02-29").to_numpy())).all()
    if soort == "aow_leeftijd":
        assert (rows["arbeidsstatus"] == "gepensioneerd").all()


def test_everybody_who_turns_18_in_the_period_gets_the_event(tables):
    persons, _, events = tables
    eighteen = persons["geboortedatum"] + pd.DateOffset(years=18)
    inside = (eighteen >= "2025-01-01") & (eighteen < "2027-01-01")
    alive = alive_on(persons, "2025-01-01") | persons["geboortedatum"].ge("2025-01-01")
    died_before = persons["overlijdensdatum"].notna() & (persons["overlijdensdatum"] < eighteen)
    expected = set(persons.loc[inside & alive & ~died_before, "person_id"])
    got = set(events.loc[events["soort"] == "achttien_jaar", "person_id"])
    assert got == expected


def test_job_events_change_status_consistently(tables):
    _, _, events = tables
    loss = events[events["soort"] == "baanverlies"]
    start = events[events["soort"] == "baan_start"]
    assert loss["arbeidsstatus"].isin(["werkloos", "arbeidsongeschikt"]).all()
    assert start["arbeidsstatus"].isin(["werkend", "zzp"]).all()
    assert len(loss) > 50 and len(start) > 50
    assert (loss["inkomen"] >= 0).all()


def test_small_population_is_calibrated(small_population, small_recipe):
    """Population shares within 2 pp of CBS; event rates within 30% and event shares within
    5 pp (sampling noise: 20k persons see ~800 deaths in two years).

    The bars themselves (2 pp, 15%) hold on the default recipe (test_default_recipe.py).
    """
    rows = check_population(
        small_population.persons,
        small_population.households,
        small_population.events,
        small_recipe.period.model_dump(),
    )
    shares = [r for r in rows if r.eenheid == "aandeel" and r.groep != "gebeurtenissen"]
    assert len(shares) > 25
    off = [(r.groep, r.statistiek, r.cbs, r.dataset) for r in shares if not r.ok]
    assert not off
    event_shares = [r for r in rows if r.eenheid == "aandeel" and r.groep == "gebeurtenissen"]
    assert len(event_shares) == 2
    assert all(abs(r.dataset - r.cbs) <= 0.05 for r in event_shares)
    rates = [r for r in rows if r.eenheid != "aandeel" and r.cbs is not None]
    assert {r.statistiek for r in rates} == {
        "geboorte",
        "overlijden",
        "verhuizing",
        "partnerschap",
        "scheiding",
    }
    for r in rates:
        assert abs(r.dataset - r.cbs) <= 0.30 * r.cbs, (r.statistiek, r.cbs, r.dataset)
