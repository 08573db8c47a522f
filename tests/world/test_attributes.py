"""Person and household attributes behave as the domain says they should."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from faker.providers.person.nl_NL import Provider as FakerNL

START = pd.Timestamp("2025-01-01")


@pytest.fixture(scope="module")
def people(small_population):
    persons = small_population.persons
    persons = persons[persons["geboortedatum"] < START].copy()
    persons["leeftijd"] = (START - persons["geboortedatum"]).dt.days / 365.2425
    return persons


@pytest.fixture(scope="module")
def homes(small_population, people):
    households = small_population.households
    households = households[households["ontstaan"].isna()].copy()
    income = people.groupby("household_id")["inkomen"].sum()
    households["huishoudinkomen"] = households["household_id"].map(income)
    return households


def test_first_names_follow_sex(people):
    male, female = set(FakerNL.first_names_male), set(FakerNL.first_names_female)
    men = people[people["geslacht"] == "M"]["voornaam"]
    women = people[people["geslacht"] == "V"]["voornaam"]
    assert men.isin(male).all()
    assert women.isin(female).all()
    # Names on both lists (Sam, Robin) aside, the two groups barely share names.
    assert women.isin(male - female).mean() == 0


def test_income_depends_on_status_as_expected(people):
    median = people.groupby("arbeidsstatus")["inkomen"].median()
    assert median["werkend"] > median["werkloos"] > median["student"]
    assert median["werkend"] > median["bijstand"]
    assert (people.loc[people["leeftijd"] < 15, "inkomen"] == 0).all()
    assert (people["inkomen"] >= 0).all()


def test_aow_income_reflects_build_up(people):
    retired = people[people["arbeidsstatus"] == "gepensioneerd"]
    full = retired[retired["aow_opbouwjaren"] == 50]["inkomen"].median()
    partial = retired[retired["aow_opbouwjaren"] < 30]["inkomen"].median()
    assert full > partial


def test_partner_incomes_are_correlated(people):
    heads = people[people["rol"] == "aanvrager"].set_index("household_id")
    partners = people[people["rol"] == "partner"].set_index("household_id")
    both = heads.join(partners, lsuffix="_a", rsuffix="_p", how="inner")
    working = both[both["arbeidsstatus_a"].eq("werkend") & both["arbeidsstatus_p"].eq("werkend")]
    assert len(working) > 500
    r = np.corrcoef(np.log1p(working["inkomen_a"]), np.log1p(working["inkomen_p"]))[0, 1]
    assert r > 0.1


def test_bijstand_is_shared_by_partners_and_needs_little_vermogen(people):
    couples = people[people["rol"].isin(["aanvrager", "partner"])]
    per_home = couples.groupby("household_id")["arbeidsstatus"].agg(list)
    pairs = per_home[per_home.map(len) == 2]
    mixed = pairs.map(lambda s: ("bijstand" in s) and any(x in s for x in ("werkend", "zzp")))
    assert not mixed.any()
    assert (people.loc[people["arbeidsstatus"] == "bijstand", "vermogen"] < 7770).all()


def test_status_follows_age(people):
    assert (people.loc[people["leeftijd"] >= 67, "arbeidsstatus"] == "gepensioneerd").all()
    assert (people.loc[people["leeftijd"] < 18, "arbeidsstatus"] == "overig").all()


def test_rent_only_for_renters_and_woz_only_for_owners(homes):
    renters = homes["woonsituatie"].isin(["huur_sociaal", "huur_vrij"])
    assert homes.loc[renters, "kale_huur"].notna().all()
    assert homes.loc[~renters, "kale_huur"].isna().all()
    assert homes.loc[~renters, "servicekosten"].isna().all()
    owners = homes["woonsituatie"] == "koop"
    assert homes.loc[owners, "woz_waarde"].gt(0).all()
    assert homes.loc[~owners, "woz_waarde"].isna().all()
    # Social rent stays under the liberalisatiegrens (€900.07 in 2025), free-sector rent above.
    assert homes.loc[homes["woonsituatie"] == "huur_sociaal", "kale_huur"].le(900.07).all()
    assert homes.loc[homes["woonsituatie"] == "huur_vrij", "kale_huur"].gt(900.07).all()


def test_owning_rises_with_household_income(homes):
    own = homes[homes["woonsituatie"] != "inwonend"]
    quintile = pd.qcut(own["huishoudinkomen"], 5, labels=False)
    share = (own["woonsituatie"] == "koop").groupby(quintile).mean()
    assert share.is_monotonic_increasing
    assert share.iloc[-1] - share.iloc[0] > 0.3


def test_migrants_miss_aow_years_and_natives_mostly_do_not(people):
    abroad = people[people["geboren_buitenland"] & (people["leeftijd"] > 40)]
    native = people[~people["geboren_buitenland"]]
    assert (abroad["aow_opbouwjaren"] < 50).mean() > 0.5
    assert (native["aow_opbouwjaren"] == 50).mean() > 0.9
    assert people["aow_opbouwjaren"].between(0, 50).all()


def test_low_digital_skills_rise_with_age_and_are_missing_for_children(people):
    adults = people[people["leeftijd"] >= 16]
    assert adults["digitale_vaardigheid"].notna().all()
    assert people.loc[people["leeftijd"] < 16, "digitale_vaardigheid"].isna().all()
    low = adults["digitale_vaardigheid"].eq("laag")
    young = low[adults["leeftijd"].between(16, 35)].mean()
    old = low[adults["leeftijd"] >= 75].mean()
    assert old > 2 * young


def test_low_language_proficiency_is_more_common_among_people_born_abroad(people):
    adults = people[people["leeftijd"] >= 16]
    low = adults["taalvaardigheid"].eq("laag")
    assert low[adults["geboren_buitenland"]].mean() > 2 * low[~adults["geboren_buitenland"]].mean()


def test_children_are_insured_and_almost_everyone_is(people):
    assert people.loc[people["leeftijd"] < 18, "zorgverzekerd"].all()
    assert people["zorgverzekerd"].mean() > 0.99
