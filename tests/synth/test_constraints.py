"""The domain rules hold on a sampled population, counted here independently of the code."""

from __future__ import annotations

import numpy as np

from sandbox.synth import count_violations
from sandbox.synth.report import start_state


def test_a_sampled_population_breaks_no_domain_rule(sampled, independent_violations):
    hh, p = start_state(sampled.households, sampled.persons, sampled.peildatum)
    counts = independent_violations(hh, p, sampled.peildatum)
    assert counts == dict.fromkeys(counts, 0)
    assert sampled.violations == counts
    # The rules were exercised: there are renters, owners, children, minors and pensioners.
    assert hh["woonsituatie"].nunique() >= 3 and (p["rol"] == "kind").sum() > 50
    assert (p["arbeidsstatus"] == "gepensioneerd").sum() > 20


def test_violations_that_are_planted_are_counted_once_each(sampled, independent_violations):
    hh, p = start_state(sampled.households, sampled.persons, sampled.peildatum)
    hh, p = hh.copy(), p.copy()
    owner = hh.index[hh["woonsituatie"] == "koop"][0]
    hh.loc[owner, "kale_huur"] = 700.0  # rent for an owner
    hh.loc[hh.index[hh["woonsituatie"] == "huur_sociaal"][0], "woz_waarde"] = 250_000.0
    kid = p.index[p["rol"] == "kind"][0]
    head = p.index[(p["household_id"] == p.loc[kid, "household_id"]) & (p["rol"] == "aanvrager")]
    p.loc[kid, "geboortedatum"] = p.loc[head[0], "geboortedatum"]  # as old as the parent
    old = p.index[((sampled.peildatum - p["geboortedatum"]).dt.days > 70 * 365.2425)][0]
    p.loc[old, "arbeidsstatus"] = "student"
    p.loc[p.index[p["rol"] == "aanvrager"][3], "inkomen"] = -1.0
    counts = count_violations(hh, p, sampled.peildatum)
    independent = independent_violations(hh, p, sampled.peildatum)
    assert counts == independent
    assert counts["huur_alleen_voor_huurders"] == 1
    assert counts["woz_alleen_voor_eigenaren"] == 1  # a renter with a WOZ value
    assert counts["geen_negatieve_bedragen"] == 1
    assert counts["kinderen_jonger_dan_ouders"] >= 1
    assert counts["arbeid_past_bij_leeftijd"] >= 1
    assert np.isfinite(list(counts.values())).all()
