"""The domain rules a synthetic population must keep, as checks and as SDV constraints.

The same rules are written three ways: on flat household rows (an SDV programmable constraint,
so SDV reject-samples rows that break them), on member rows (children and other members, by
age band), and on the finished tables, where the report counts violations per rule.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sdv.cag import Inequality, SingleTableProgrammableConstraint

from sandbox.synth.flat import DAYS_PER_YEAR
from sandbox.synth.marginals import QuantileMarginals

__all__ = [
    "RULES",
    "MIN_PARENT_GAP",
    "MAX_PARTNER_GAP",
    "AOW_AGE",
    "DomainRules",
    "sdv_constraints",
    "flat_valid",
    "member_valid",
    "age_band",
    "count_violations",
]

AOW_AGE = 67.0  # AOW-leeftijd 2025-2027 (Art. 7a AOW), as the reference population uses it
# Aanvrager and partner are adults by the day count: the reference rounds ages down to whole
# days, so someone who turned 18 that day is 17.999 years old (and still 'overig').
ADULT_DAYS = int(18 * DAYS_PER_YEAR)
MIN_PARENT_GAP = 15.0  # years a parent is at least older than their child (assumption)
MAX_PARTNER_GAP = 20.0  # largest plausible age difference between partners (assumption)
MIN_RETIRED_AGE = 60.0  # nobody is gepensioneerd before 60 (early retirement, assumption)
RENTERS = ("huur_sociaal", "huur_vrij")

RULES = {
    "kinderen_jonger_dan_ouders": (
        f"elk kind is minstens {MIN_PARENT_GAP:.0f} jaar jonger dan aanvrager en partner"
    ),
    "partnerleeftijd_plausibel": (
        f"aanvrager en partner zijn 18+ en schelen hoogstens {MAX_PARTNER_GAP:.0f} jaar"
    ),
    "huur_alleen_voor_huurders": "kale_huur en servicekosten alleen (en altijd) bij huur",
    "woz_alleen_voor_eigenaren": "woz_waarde alleen (en altijd) bij koop",
    "geen_negatieve_bedragen": "inkomen, vermogen, huur, servicekosten en WOZ zijn >= 0",
    "arbeid_past_bij_leeftijd": (
        f"onder 18 'overig', vanaf {AOW_AGE:.0f} 'gepensioneerd', gepensioneerd pas vanaf "
        f"{MIN_RETIRED_AGE:.0f}; onder 15 geen inkomen; vaardigheden ingevuld vanaf 16"
    ),
}
# Age bands within which the age rules do not change: a member drawn for one age may take
# the attributes of a model row of another age in the same band.
_BAND_EDGES = (15.0, 16.0, 18.0, MIN_RETIRED_AGE, AOW_AGE)


def age_band(age: np.ndarray) -> np.ndarray:
    """The band of each age (years) between the ages where a rule changes."""
    days = np.round(np.asarray(age, dtype=float) * DAYS_PER_YEAR)
    return np.searchsorted(np.asarray(_BAND_EDGES), days / DAYS_PER_YEAR, side="right")


def _status_ok(age: np.ndarray, status: np.ndarray, inkomen: np.ndarray, skill) -> np.ndarray:
    """Arbeidsstatus, income and skills consistent with age (the age rule)."""
    years = np.round(age * DAYS_PER_YEAR) / DAYS_PER_YEAR
    ok = (years >= 18) | (status == "overig")
    ok &= (years < AOW_AGE) | (status == "gepensioneerd")
    ok &= (status != "gepensioneerd") | (years >= MIN_RETIRED_AGE)
    ok &= (years >= 15) | (inkomen == 0)
    ok &= (years >= 16) == pd.notna(skill)
    return ok


def _num(frame: pd.DataFrame, col: str) -> np.ndarray:
    return frame[col].to_numpy(dtype=float, na_value=np.nan)


def flat_valid(flat: pd.DataFrame) -> pd.Series:
    """Whether each flat household row keeps the rules (only the columns present are checked)."""
    ok = np.ones(len(flat), dtype=bool)
    a = _num(flat, "a_leeftijd")
    ok &= np.round(a * DAYS_PER_YEAR) >= ADULT_DAYS
    for who, age in (("a", a), ("p", None)):
        if f"{who}_arbeidsstatus" not in flat:
            continue
        if age is None:
            age = a + _num(flat, "p_leeftijd_verschil")
            gap = _num(flat, "p_leeftijd_verschil")
            ok &= (np.round(age * DAYS_PER_YEAR) >= ADULT_DAYS) & (np.abs(gap) <= MAX_PARTNER_GAP)
        status = flat[f"{who}_arbeidsstatus"].to_numpy(object)
        inkomen = _num(flat, f"{who}_inkomen")
        skill = flat[f"{who}_digitale_vaardigheid"].to_numpy(object)
        ok &= _status_ok(age, status, inkomen, skill)
        ok &= (inkomen >= 0) & (_num(flat, f"{who}_vermogen") >= 0)
    if "k_aantal" in flat:
        oldest = a - _num(flat, "k_oudste_verschil")
        youngest = a - _num(flat, "k_jongste_verschil")
        ok &= (youngest > 0) & (oldest >= youngest)
        ok &= _num(flat, "k_oudste_verschil") >= MIN_PARENT_GAP
        if "p_leeftijd_verschil" in flat:
            ok &= (a + _num(flat, "p_leeftijd_verschil") - oldest) >= MIN_PARENT_GAP
    if "o_aantal" in flat:
        ok &= np.round((a + _num(flat, "o_leeftijd_verschil")) * DAYS_PER_YEAR) >= ADULT_DAYS
    for col in ("kale_huur", "servicekosten", "woz_waarde"):
        if col in flat:
            ok &= _num(flat, col) >= 0  # NaN fails: a renter always has a rent
    return pd.Series(ok, index=flat.index)


def member_valid(members: pd.DataFrame) -> np.ndarray:
    """Whether each member row (child or other member) keeps the age rule."""
    age = _num(members, "leeftijd")
    inkomen = _num(members, "inkomen")
    ok = _status_ok(
        age,
        members["arbeidsstatus"].to_numpy(object),
        inkomen,
        members["digitale_vaardigheid"].to_numpy(object),
    )
    return ok & (inkomen >= 0) & (_num(members, "vermogen") >= 0) & (age > 0)


def _derived_ages(flat: pd.DataFrame) -> dict[str, np.ndarray]:
    """Ages the flat columns imply: partner, oldest and youngest child, other members."""
    a = _num(flat, "a_leeftijd")
    out = {}
    if "p_leeftijd_verschil" in flat:
        out["p_leeftijd"] = a + _num(flat, "p_leeftijd_verschil")
    if "k_oudste_verschil" in flat:
        out["k_oudste_leeftijd"] = a - _num(flat, "k_oudste_verschil")
        out["k_jongste_leeftijd"] = a - _num(flat, "k_jongste_verschil")
    if "o_leeftijd_verschil" in flat:
        out["o_leeftijd"] = a + _num(flat, "o_leeftijd_verschil")
    return out


class DomainRules(SingleTableProgrammableConstraint):
    """SDV constraint: keep only flat rows that keep the rules (reject sampling).

    Besides :func:`flat_valid`, ages that follow from two columns (a partner's, a child's) must
    lie within the range the source shows, as every modelled column does.
    """

    def __init__(self, columns: list[str]) -> None:
        self.columns = list(columns)
        self.bounds: dict[str, tuple[float, float]] = {}

    def fit(self, data: pd.DataFrame, metadata) -> None:
        """Learn the range of each derived age from the source rows."""
        self.bounds = {
            name: (float(np.nanmin(values)), float(np.nanmax(values)))
            for name, values in _derived_ages(data).items()
            if np.isfinite(values).any()
        }

    def transform(self, data: pd.DataFrame) -> pd.DataFrame:
        """Leave the data as it is: the rule only filters."""
        return data

    def reverse_transform(self, transformed_data: pd.DataFrame) -> pd.DataFrame:
        """Leave sampled data as it is; :meth:`is_valid` filters it."""
        return transformed_data

    def get_updated_metadata(self, metadata):
        """The metadata does not change."""
        return metadata

    def is_valid(self, synthetic_data: pd.DataFrame) -> pd.Series:
        """Rows that keep the domain rules and whose derived ages lie in the source's range."""
        ok = flat_valid(synthetic_data).to_numpy()
        for name, values in _derived_ages(synthetic_data).items():
            if name in self.bounds:
                low, high = self.bounds[name]
                ok &= (values >= low) & (values <= high)
        return pd.Series(ok, index=synthetic_data.index)


def sdv_constraints(columns: list[str], *, member: bool = False, quantiles: bool = False) -> list:
    """The SDV constraints for a model with these columns.

    ``Inequality`` keeps the youngest child younger than the oldest; ``DomainRules`` rejects
    rows breaking the other rules; with ``quantiles``, :class:`QuantileMarginals` (last, so it
    sees the columns the others made) gives every numerical column its empirical marginal.
    Herkomst and born-abroad are one column in the models (see
    :func:`sandbox.synth.sampling.join_origin`), which keeps them consistent at no cost, where
    SDV's ``FixedCombinations`` did the same at a third of the sampling time.
    """
    # DomainRules first: SDV reverses constraints last to first, so it sees finished rows.
    out: list = [] if member else [DomainRules(columns)]
    if "k_oudste_verschil" in columns:
        out.append(Inequality("k_oudste_verschil", "k_jongste_verschil"))
    if quantiles:
        out.append(QuantileMarginals())
    return out


def count_violations(
    households: pd.DataFrame, persons: pd.DataFrame, peildatum: pd.Timestamp
) -> dict[str, int]:
    """Count the rows that break each rule in finished tables (state on the peildatum).

    Args:
        households: the households living on the peildatum.
        persons: their members.
        peildatum: the day ages are taken on.

    Returns:
        Per rule in :data:`RULES`, the number of persons or households breaking it.
    """
    days = (peildatum - persons["geboortedatum"]).dt.days.to_numpy(np.int64)
    age = days / DAYS_PER_YEAR
    p = persons.assign(_age=age, _days=days)
    head_age = p[p["rol"] == "aanvrager"].groupby("household_id")["_age"].first()
    partner_age = p[p["rol"] == "partner"].groupby("household_id")["_age"].first()
    kids = p[p["rol"] == "kind"]
    head = head_age.reindex(kids["household_id"]).to_numpy()
    partner = partner_age.reindex(kids["household_id"]).to_numpy()
    too_young = (head - kids["_age"].to_numpy() < MIN_PARENT_GAP) | (
        partner - kids["_age"].to_numpy() < MIN_PARENT_GAP
    )
    couples = partner_age.index.intersection(head_age.index)
    gap = (partner_age[couples] - head_age[couples]).abs()
    adults = p[p["rol"].isin(["aanvrager", "partner"])]
    renter = households["woonsituatie"].isin(RENTERS)
    owner = households["woonsituatie"] == "koop"
    rent_known = households["kale_huur"].notna() & households["servicekosten"].notna()
    rent_none = households["kale_huur"].isna() & households["servicekosten"].isna()
    money = [persons["inkomen"], persons["vermogen"]]
    money += [households[c] for c in ("kale_huur", "servicekosten", "woz_waarde")]
    status_ok = _status_ok(
        age,
        persons["arbeidsstatus"].to_numpy(object),
        persons["inkomen"].to_numpy(float),
        persons["digitale_vaardigheid"].to_numpy(object),
    )
    return {
        "kinderen_jonger_dan_ouders": int(too_young.sum()),
        "partnerleeftijd_plausibel": int((gap > MAX_PARTNER_GAP).sum())
        + int((adults["_days"] < ADULT_DAYS).sum()),
        "huur_alleen_voor_huurders": int(
            (renter & ~rent_known).sum() + (~renter & ~rent_none).sum()
        ),
        "woz_alleen_voor_eigenaren": int(
            (owner & households["woz_waarde"].isna()).sum()
            + (~owner & households["woz_waarde"].notna()).sum()
        ),
        "geen_negatieve_bedragen": int(sum((s < 0).sum() for s in money)),
        "arbeid_past_bij_leeftijd": int((~status_ok).sum()),
    }
