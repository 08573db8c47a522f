"""Person attributes: herkomst, employment status, toetsingsinkomen, vermogen, AOW build-up, skills.

Levels come from the CBS figures in the calibration data; the shapes by age and household that
no source pins down are assumptions, named as such where they are set.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sandbox.world.calibration import Calibration
from sandbox.world.households import (
    AANVRAGER,
    ALLEEN,
    EENOUDER,
    KIND,
    PARTNER,
    Structure,
    knots,
)
from sandbox.world.raking import draw_categories, fit_multipliers

__all__ = ["STATUSES", "HERKOMST", "assign_persons", "income_for_status"]

STATUSES = (
    "werkend",
    "zzp",
    "werkloos",
    "student",
    "gepensioneerd",
    "arbeidsongeschikt",
    "bijstand",
    "overig",
)
WERKEND, ZZP, WERKLOOS, STUDENT, GEPENSIONEERD, AO, BIJSTAND, OVERIG = range(8)
HERKOMST = ("NL", "EU", "buiten_EU")

# Relative propensity of each status by age, 18 to AOW age (assumption: shapes only; the
# levels are fitted to CBS counts). Knots are age: propensity.
_PROFILE = {
    WERKEND: {18: 0.25, 22: 0.8, 26: 1.0, 55: 1.0, 60: 0.8, 64: 0.5, 67: 0.3},
    ZZP: {18: 0.02, 25: 0.3, 35: 0.8, 45: 1.0, 60: 1.0, 67: 0.7},
    WERKLOOS: {18: 1.6, 25: 1.0, 40: 0.8, 60: 1.0, 67: 0.8},
    STUDENT: {18: 1.0, 20: 0.9, 23: 0.45, 26: 0.12, 30: 0.03, 40: 0.01, 50: 0.0, 67: 0.0},
    GEPENSIONEERD: {18: 0.0, 60: 0.0, 63: 0.1, 67: 0.4},
    AO: {18: 0.3, 30: 0.5, 45: 1.0, 60: 1.8, 67: 2.0},
    BIJSTAND: {18: 0.8, 27: 1.0, 45: 1.0, 60: 1.0, 67: 1.0},
    OVERIG: {18: 0.15, 30: 0.12, 50: 0.15, 60: 0.25, 67: 0.35},
}
# Share with paid work besides the main status (assumptions; CBS counts them as werkzaam).
_BIJBAAN = {STUDENT: 0.65, GEPENSIONEERD: 0.12, AO: 0.3, BIJSTAND: 0.08}
_AOW_BRUTO = {  # 1 January 2025, gross per month incl. holiday pay (SVB, facts A.6)
    "alleenstaand": 1580.92 + 102.46,
    "samenwonend": 1081.50 + 73.18,
}
_BIJSTAND_NETTO = {  # Participatiewet art. 21 norms from 1 January 2025 (facts A.7)
    "alleenstaand": 1345.45,
    "paar": 1922.07,
}


def _herkomst(rng, s: Structure, cal: Calibration) -> tuple[np.ndarray, np.ndarray]:
    """Herkomst per household (CBS: own birth country, else a parent's) and born-abroad flag."""
    n_hh = len(s.hh_size)
    first = np.flatnonzero(np.r_[True, s.person_hh[1:] != s.person_hh[:-1]])
    head_age = s.age[first]
    shape = knots(head_age, {18: 1.0, 30: 1.4, 50: 1.1, 70: 0.5, 90: 0.3})  # assumption
    born = cal.value("herkomst", "geboren_buitenland")
    second = cal.value("herkomst", "tweede_generatie")
    target = born + second
    size = s.hh_size.astype(float)
    c = 0.3
    for _ in range(60):  # fit the level so that persons of foreign herkomst hit the target
        p = np.clip(c * shape, 0, 0.95)
        c *= target / ((p * size).sum() / size.sum())
    migrant_hh = rng.random(n_hh) < np.clip(c * shape, 0, 0.95)
    eu = rng.random(n_hh) < cal.value("herkomst", "eu_aandeel_migranten")
    code = np.where(migrant_hh, np.where(eu, 1, 2), 0).astype(np.int8)[s.person_hh]
    # Children of migrants are mostly born here; adults mostly abroad. Solve the adult share.
    child = s.rol == KIND
    p_kid = np.where(s.age >= 10, 0.25, 0.08)
    mig = code > 0
    p_adult = (born * len(code) - (p_kid * (mig & child)).sum()) / max((mig & ~child).sum(), 1)
    abroad = mig & (rng.random(len(code)) < np.where(child, p_kid, np.clip(p_adult, 0, 1)))
    return code, abroad


def _aow_opbouw(rng, age: np.ndarray, abroad: np.ndarray) -> np.ndarray:
    """Insured AOW years (of 50) at AOW age, assuming residence from now on (AOW art. 13)."""
    arrival = np.minimum(np.clip(rng.normal(26, 10, len(age)), 0, 80), age)
    missing = np.where(abroad, np.clip(arrival - 17, 0, 50), 0.0)
    # NL-born people who lived abroad for a while (assumption: 5%, one to eight years).
    spell = (~abroad) & (rng.random(len(age)) < 0.05) & (age > 25)
    missing = np.where(spell, rng.integers(1, 9, len(age)), missing)
    return (50 - np.round(missing)).astype(np.int16)


def _status(rng, s: Structure, cal: Calibration, herkomst: np.ndarray, aow_age: float):
    n = len(s.age)
    age = s.age
    working_age = (age >= 18) & (age < aow_age)
    status = np.full(n, OVERIG, dtype=np.int8)
    # Minors keep status overig; at 18 the achttien_jaar event gives them one.
    pupils = (age >= 15) & (age < 18)
    status[age >= aow_age] = GEPENSIONEERD

    idx = np.flatnonzero(working_age)
    a = age[idx]
    prop = np.column_stack([knots(a, _PROFILE[k]) for k in range(len(STATUSES))])
    hh_type = s.hh_type[s.person_hh[idx]]
    # Assumptions: bijstand concentrates among single parents, singles and non-EU migrants;
    # partners in families more often stay home.
    prop[:, BIJSTAND] *= np.select([hh_type == EENOUDER, hh_type == ALLEEN], [4.0, 2.0], 0.7)
    prop[:, BIJSTAND] *= np.where(herkomst[idx] == 2, 3.0, 1.0)
    prop[:, OVERIG] *= np.where((s.rol[idx] == PARTNER) & ~s.man[idx], 2.0, 1.0)
    prop[:, STUDENT] *= np.where(s.rol[idx] == KIND, 2.0, 1.0)

    scale = n / cal.value("bevolking", "totaal_2025")
    arbeid = cal["arbeid"]
    share_1574 = cal.value("arbeid", "werkzaam_15_74") / cal.value("arbeid", "bevolking_15_74")
    n_1574 = ((age >= 15) & (age < 75)).sum()
    targets = np.full(len(STATUSES), np.nan)
    targets[ZZP] = arbeid["zzp"].waarde * scale
    targets[WERKLOOS] = arbeid["werkloos"].waarde * scale
    targets[AO] = arbeid["arbeidsongeschikt"].waarde * scale
    targets[BIJSTAND] = arbeid["bijstand"].waarde * scale
    targets[STUDENT] = arbeid["studenten"].waarde * scale
    # CBS counts everyone with paid work as werkzaam, also students, AO and AOW recipients
    # with a side job: those jobs come off the werkend target.
    side_jobs = (
        sum(_BIJBAAN[k] * targets[k] for k in (STUDENT, AO, BIJSTAND))
        + _BIJBAAN[STUDENT] * pupils.sum()
        + _BIJBAAN[GEPENSIONEERD] * ((age >= aow_age) & (age < 75)).sum()
    )
    targets[WERKEND] = share_1574 * n_1574 - targets[ZZP] - side_jobs
    # Bijstand is a household benefit (Participatiewet art. 4): the partner of a recipient
    # shares the status, so the draw targets recipients net of the partners that follow.
    prop[:, BIJSTAND] *= s.rol[idx] != PARTNER
    with_partner = np.isin(s.person_hh[idx], s.person_hh[s.rol == PARTNER])
    probs = fit_multipliers(prop, targets)
    share_couples = (probs[:, BIJSTAND] * with_partner).sum() / probs[:, BIJSTAND].sum()
    targets[BIJSTAND] /= 1 + share_couples
    probs = fit_multipliers(prop, targets)
    status[idx] = draw_categories(rng, probs)
    # The partner of an aanvrager in bijstand shares it (not the partner of an adult child's).
    head_in_bijstand = s.person_hh[(status == BIJSTAND) & (s.rol == AANVRAGER)]
    followers = np.isin(s.person_hh, head_in_bijstand) & (s.rol == PARTNER)
    status[followers & working_age & np.isin(status, [WERKEND, ZZP, WERKLOOS, OVERIG])] = BIJSTAND
    p_side = np.zeros(n)
    for code, p in _BIJBAAN.items():
        p_side[status == code] = p
    p_side[(status == GEPENSIONEERD) & (age >= 75)] = 0.0
    p_side[pupils] = _BIJBAAN[STUDENT]  # pupils with a side job count as werkzaam (CBS)
    bijbaan = rng.random(n) < p_side
    return status, bijbaan


def income_for_status(
    rng: np.random.Generator,
    status: np.ndarray,
    age: np.ndarray,
    man: np.ndarray,
    bijbaan: np.ndarray,
    samenwonend: np.ndarray,
    aow_opbouw: np.ndarray,
    household_effect: np.ndarray,
) -> np.ndarray:
    """Draw a yearly toetsingsinkomen (euro) for each person given their status.

    Medians and spreads are assumptions (no national income distribution was retrieved, facts
    D.4); AOW and bijstand follow the 2025 amounts. ``household_effect`` is a shared log-scale
    shock that correlates the earnings of people in one household.
    """
    n = len(status)
    z = rng.standard_normal(n)
    work_median = knots(age, {16: 6000, 22: 24000, 30: 40000, 45: 50000, 55: 52000, 67: 45000})
    work_median = work_median * np.where(man, 1.0, 0.78)  # part-time work (assumption)
    out = np.zeros(n)
    inc = {
        WERKEND: work_median * np.exp(0.45 * z + household_effect),
        ZZP: 35000 * np.exp(0.8 * z + household_effect),
        WERKLOOS: 21000 * np.exp(0.35 * z),
        STUDENT: np.where(bijbaan, 7500 * np.exp(0.5 * z), 800 * np.exp(0.8 * z)),
        AO: 23000 * np.exp(0.35 * z) + bijbaan * 6000,
        OVERIG: np.where(rng.random(n) < 0.4, 0.0, 6000 * np.exp(0.9 * z)),
    }
    aow = 12 * np.where(samenwonend, _AOW_BRUTO["samenwonend"], _AOW_BRUTO["alleenstaand"])
    pension = np.where(rng.random(n) < 0.12, 0.0, 11000 * np.exp(0.8 * z + household_effect))
    inc[GEPENSIONEERD] = aow * aow_opbouw / 50 + pension
    # Bijstand is a net norm; toetsingsinkomen is gross: add ~10% (assumption).
    norm = np.where(samenwonend, _BIJSTAND_NETTO["paar"] / 2, _BIJSTAND_NETTO["alleenstaand"])
    inc[BIJSTAND] = 12 * norm * 1.10
    for code, values in inc.items():
        sel = status == code
        out[sel] = np.broadcast_to(values, (n,))[sel]
    out[age < 15] = 0.0
    return np.round(out, 0)


def _skills(rng, age: np.ndarray, herkomst: np.ndarray, abroad: np.ndarray, cal: Calibration):
    adult = age >= 16
    taal_prop = np.where(abroad, np.where(herkomst == 2, 4.0, 2.5), 1.0)
    taal_prop *= knots(age, {16: 0.8, 40: 1.0, 65: 1.3, 90: 1.6})
    taal_share = cal.value("vaardigheden", "laaggeletterd_16plus")
    c = taal_share / np.mean(taal_prop[adult])
    taal_laag = rng.random(len(age)) < np.clip(c * taal_prop, 0, 0.95)
    dig_prop = knots(age, {16: 0.3, 25: 0.45, 45: 0.8, 65: 1.6, 75: 2.6, 90: 3.5})
    dig_prop *= np.where(taal_laag, 2.0, 1.0)
    dig_share = cal.value("vaardigheden", "digitaal_laag_16plus")
    c = dig_share / np.mean(dig_prop[adult])
    dig_laag = rng.random(len(age)) < np.clip(c * dig_prop, 0, 0.98)
    dig_hoog = ~dig_laag & (rng.random(len(age)) < knots(age, {16: 0.7, 40: 0.55, 70: 0.2}))
    digitaal = np.where(dig_laag, "laag", np.where(dig_hoog, "hoog", "basis")).astype(object)
    taal = np.where(taal_laag, "laag", "voldoende").astype(object)
    digitaal[~adult] = None
    taal[~adult] = None
    return digitaal, taal


def assign_persons(rng: np.random.Generator, s: Structure, cal: Calibration) -> pd.DataFrame:
    """Give every person of the structures their non-identity attributes.

    Args:
        rng: the generator's random state.
        s: household structures from :func:`sandbox.world.households.draw_structures`.
        cal: the calibration figures.

    Returns:
        One row per person, in the order of ``s``: ``geslacht``, ``leeftijd``, ``herkomst``,
        ``geboren_buitenland``, ``arbeidsstatus``, ``bijbaan``, ``inkomen``, ``vermogen``,
        ``zorgverzekerd``, ``aow_opbouwjaren``, ``digitale_vaardigheid``, ``taalvaardigheid``.
    """
    aow_age = cal.value("arbeid", "aow_leeftijd")
    herkomst, abroad = _herkomst(rng, s, cal)
    status, bijbaan = _status(rng, s, cal, herkomst, aow_age)
    opbouw = _aow_opbouw(rng, s.age, abroad)
    n_hh = len(s.hh_size)
    adults = np.bincount(s.person_hh, weights=s.rol != KIND, minlength=n_hh)
    couple = np.bincount(s.person_hh, weights=s.rol == PARTNER, minlength=n_hh) > 0
    samenwonend = (couple | (adults > 1))[s.person_hh] & (s.rol != KIND)
    household_effect = rng.normal(0, 0.25, n_hh)[s.person_hh]
    inkomen = income_for_status(
        rng, status, s.age, s.man, bijbaan, samenwonend, opbouw, household_effect
    )
    # Vermogen grows with age and income (assumption); bijstand requires little of it
    # (Participatiewet art. 34).
    median = knots(s.age, {18: 3000, 30: 12000, 45: 35000, 60: 70000, 75: 80000, 95: 60000})
    median *= np.clip(inkomen / 35000, 0.3, 3.0) ** 0.5
    vermogen = np.where(
        rng.random(len(status)) < 0.22,
        rng.uniform(0, 2000, len(status)),
        median * np.exp(1.2 * rng.standard_normal(len(status))),
    )
    vermogen = np.where(status == BIJSTAND, rng.uniform(0, 6000, len(status)), vermogen)
    vermogen[s.age < 16] = 0.0
    digitaal, taal = _skills(rng, s.age, herkomst, abroad, cal)
    return pd.DataFrame(
        {
            "geslacht": np.where(s.man, "M", "V"),
            "herkomst": np.asarray(HERKOMST, dtype=object)[herkomst],
            "geboren_buitenland": abroad,
            "arbeidsstatus": np.asarray(STATUSES, dtype=object)[status],
            "bijbaan": bijbaan,
            "inkomen": inkomen,
            "vermogen": np.round(vermogen, 0),
            # Assumption: about 0.2% of residents are uninsured (no figure in the facts).
            "zorgverzekerd": rng.random(len(status)) >= 0.002,
            "aow_opbouwjaren": opbouw,
            "digitale_vaardigheid": digitaal,
            "taalvaardigheid": taal,
        }
    )
