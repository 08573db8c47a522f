"""Where households live: gemeente, woonsituatie, rent and WOZ value.

Tenure depends on household income, type and age, with levels fitted to the CBS housing stock
(82900NED); rents and WOZ values follow the documented calibration figures.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sandbox.world.calibration import Calibration
from sandbox.world.households import ALLEEN, OVERIG, PAAR, PAAR_K, Structure
from sandbox.world.raking import draw_categories, fit_multipliers

__all__ = ["WOONSITUATIES", "assign_housing", "draw_gemeenten", "rent_for"]

WOONSITUATIES = ("huur_sociaal", "huur_vrij", "koop", "inwonend")
SOCIAAL, VRIJ, KOOP, INWONEND = range(4)


def draw_gemeenten(rng: np.random.Generator, gemeenten: pd.DataFrame, n: int) -> np.ndarray:
    """Draw ``n`` gemeente row indices, weighted by population (CBS 85984NED)."""
    return rng.choice(len(gemeenten), size=n, p=gemeenten["gewicht"].to_numpy())


def rent_for(
    rng: np.random.Generator, situatie: np.ndarray, size: np.ndarray, cal: Calibration
) -> tuple[np.ndarray, np.ndarray]:
    """Draw kale_huur and servicekosten (euro per month) for renters; NaN for others."""
    n = len(situatie)
    grens = cal.value("wonen", "liberalisatiegrens")
    sociaal = np.clip(
        rng.normal(cal.value("wonen", "huur_sociaal_gemiddeld") - 40, 110, n) + 20 * size,
        300.0,
        grens,
    )
    vrij_median = cal.value("wonen", "huur_vrij_mediaan")
    vrij = grens + 0.01 + (vrij_median - grens) * np.exp(0.6 * rng.standard_normal(n))
    huur = np.select([situatie == SOCIAAL, situatie == VRIJ], [sociaal, vrij], np.nan)
    # Servicekosten: assumption, 15 to 90 euro per month for renters.
    service = np.where(np.isin(situatie, [SOCIAAL, VRIJ]), rng.uniform(15, 90, n), np.nan)
    return np.round(huur, 2), np.round(service, 2)


def assign_housing(
    rng: np.random.Generator,
    s: Structure,
    persons: pd.DataFrame,
    cal: Calibration,
) -> pd.DataFrame:
    """Give every household its woonsituatie, kale_huur, servicekosten and woz_waarde.

    Args:
        rng: the generator's random state.
        s: the household structures.
        persons: person attributes in the order of ``s`` (needs ``inkomen``, ``arbeidsstatus``).
        cal: the calibration figures.

    Returns:
        One row per household with ``woonsituatie``, ``kale_huur``, ``servicekosten``,
        ``woz_waarde``.
    """
    n = len(s.hh_size)
    first = np.flatnonzero(np.r_[True, s.person_hh[1:] != s.person_hh[:-1]])
    head_age = s.age[first]
    income = np.bincount(s.person_hh, weights=persons["inkomen"].to_numpy(), minlength=n)
    status = persons["arbeidsstatus"].to_numpy()
    student_head = status[first] == "student"
    bijstand = np.bincount(s.person_hh, weights=status == "bijstand", minlength=n) > 0

    # Students living alone or in shared houses often rent a room: inwonend (assumption).
    p_room = cal.value("wonen", "inwonend_studenten")
    inwonend = (
        ((s.hh_type == ALLEEN) & student_head) | ((s.hh_type == OVERIG) & (head_age < 30))
    ) & (rng.random(n) < p_room)

    log_inc = np.log(np.maximum(income, 5000) / 40000)
    couple = np.isin(s.hh_type, [PAAR, PAAR_K])
    koop = np.exp(1.6 * log_inc + 0.6 * couple - 1.2 * (head_age < 28) - 2.5 * bijstand)
    vrij = np.exp(0.7 * log_inc + 0.5 * ((head_age >= 25) & (head_age < 40)) - bijstand)
    prop = np.column_stack([np.ones(n), vrij, koop])
    stock = cal.shares("woningvoorraad")
    own = np.flatnonzero(~inwonend)
    targets = np.array([stock["huur_sociaal"], stock["huur_vrij"], stock["koop"]]) * len(own)
    targets[0] = np.nan  # the social sector absorbs the rest
    probs = fit_multipliers(prop[own], targets)
    situatie = np.full(n, INWONEND, dtype=np.int8)
    situatie[own] = draw_categories(rng, probs)

    huur, service = rent_for(rng, situatie, s.hh_size, cal)
    # WOZ: mean of owner-occupied dwellings = CBS mean of all dwellings x the koop factor.
    mean_koop = cal.value("wonen", "woz_gemiddeld_alle_woningen") * cal.value(
        "wonen", "woz_factor_koop"
    )
    sigma = 0.35
    raw = np.exp(sigma * rng.standard_normal(n) + 0.25 * log_inc)
    is_koop = situatie == KOOP
    woz = raw / raw[is_koop].mean() * mean_koop if is_koop.any() else raw
    woz = np.where(is_koop, np.round(woz, -3), np.nan)
    return pd.DataFrame(
        {
            "woonsituatie": np.asarray(WOONSITUATIES, dtype=object)[situatie],
            "kale_huur": huur,
            "servicekosten": service,
            "woz_waarde": woz,
        }
    )
