"""Score an outcome against the ground truth: reach, precision, take-up gain, euros, fairness.

Definitions (also in docs/proactive.md):

- a *pair* is a (unit, regeling) entitled in at least one month of the period;
- a pair *misses out* in a month when it is entitled and not (yet) claiming;
- the *target group* are the pairs that miss out in some month without outreach (baseline);
- a contact *hits* when the pair misses out in the month of the contact.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sandbox.proactive.simulate import Outcome

__all__ = ["METRICS", "FAIRNESS_DIMENSIONS", "MIN_GROUP", "score", "per_regeling", "pair_table"]

FAIRNESS_DIMENSIONS = ("herkomst", "leeftijd_groep", "digitale_vaardigheid")
MIN_GROUP = 30  # groups with fewer target pairs are too small to compare reach
METRICS = {
    "bereik": "share of the target group (entitled non-claimers) contacted while missing out",
    "precisie": "share of contacts that reached a pair missing out at that moment",
    "niet_gebruik_basis": "non-take-up without outreach, % of entitled unit-months",
    "niet_gebruik": "non-take-up with the strategy, % of entitled unit-months",
    "take_up_winst_pp": "take-up gain in percentage points (all regelingen of the strategy)",
    "euro_per_jaar": "euros per year newly reaching people (claimed earlier or at all)",
    "contacten": "contacts made (one per unit and regeling)",
    "contacten_zonder_recht": "contacts of units not entitled in the month of the contact",
    "nieuwe_aanvragen": "pairs that claim because of the strategy (or earlier than they would)",
    "contacten_per_nieuwe_aanvraag": "contacts per new claim",
    "kosten": "euros spent on contacts",
    "mediaan_dagen_tot_contact": "median days from the trigger to the contact",
    "fairness_gap": "largest reach gap between groups over herkomst, age group, digital skills",
    "registers_gelezen": "registers read",
    "attributen_gelezen": "register attributes read",
    "grondslag_schendingen": "reads without legal basis (audit mode; strict mode stops)",
}


def pair_table(outcome: Outcome) -> pd.DataFrame:
    """One row per pair of the strategy's regelingen: groups, claim months, hits, euros."""
    prep = outcome.prepared
    sel = np.isin(prep.pairs["regeling"].to_numpy(), outcome.strategy.regelingen)
    idx = np.flatnonzero(sel)
    months = len(prep.months)
    base = np.minimum(outcome.baseline_start[idx], months)
    new = np.minimum(outcome.start[idx], months)
    cum = prep.cum_entitled[idx]
    rows = np.arange(len(idx))
    gained = np.zeros(len(idx))
    earlier = new < base
    if earlier.any():
        # euros in the months claimed because of the strategy: from its start to the baseline's
        mask = (np.arange(months)[None, :] >= new[earlier, None]) & (
            np.arange(months)[None, :] < base[earlier, None]
        )
        gained[earlier] = (prep.amount[idx[earlier]] * prep.entitled[idx[earlier]] * mask).sum(1)
    hits = outcome.contacts
    hit_pairs = set()
    if not hits.empty:
        ok = hits["recht"].astype(bool) & ~hits["gebruikt"].astype(bool)
        hit_pairs = set(hits.loc[ok, "paar"].astype(int))
    table = prep.pairs.loc[
        idx, ["regeling", "eenheid", "unit_id", "person_id", *FAIRNESS_DIMENSIONS]
    ].reset_index(drop=True)
    table["paar"] = idx
    table["maanden_recht"] = cum[rows, -1]
    table["maanden_gemist_basis"] = cum[rows, base]
    table["maanden_gemist"] = cum[rows, new]
    table["doelgroep"] = table["maanden_gemist_basis"] > 0
    table["bereikt"] = np.isin(idx, list(hit_pairs))
    table["nieuwe_aanvraag"] = earlier
    table["euro_extra"] = gained
    return table


def per_regeling(outcome: Outcome, pairs: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per regeling: non-take-up with and without the strategy, gain, euros, contacts."""
    pairs = pair_table(outcome) if pairs is None else pairs
    months = len(outcome.prepared.months)
    contacts = outcome.contacts
    rows = []
    for name in outcome.strategy.regelingen:
        p = pairs[pairs["regeling"] == name]
        total = p["maanden_recht"].sum()
        c = contacts[contacts["regeling"] == name] if not contacts.empty else contacts
        basis = 100 * p["maanden_gemist_basis"].sum() / total if total else float("nan")
        met = 100 * p["maanden_gemist"].sum() / total if total else float("nan")
        rows.append({
            "regeling": name,
            "paren": len(p),
            "niet_gebruik_basis": basis,
            "niet_gebruik": met,
            "take_up_winst_pp": basis - met,
            "euro_per_jaar": p["euro_extra"].sum() * 12 / months,
            "contacten": len(c),
            "nieuwe_aanvragen": int(p["nieuwe_aanvraag"].sum()),
        })  # fmt: skip
    return pd.DataFrame(rows)


def _reach(pairs: pd.DataFrame) -> float:
    target = pairs[pairs["doelgroep"]]
    return float(target["bereikt"].mean()) if len(target) else 0.0


def fairness(pairs: pd.DataFrame) -> dict[str, float]:
    """Per dimension the gap between the highest and the lowest group reach (groups ≥ 30)."""
    out = {}
    target = pairs[pairs["doelgroep"]]
    for dim in FAIRNESS_DIMENSIONS:
        groups = target.groupby(target[dim].fillna("onbekend").astype(str))["bereikt"]
        sizes, reach = groups.size(), groups.mean()
        reach = reach[sizes >= MIN_GROUP]
        out[dim] = float(reach.max() - reach.min()) if len(reach) > 1 else 0.0
    return out


def score(outcome: Outcome) -> tuple[dict[str, float], pd.DataFrame, pd.DataFrame]:
    """The metrics of `METRICS`, the per-regeling table and the pair table."""
    pairs = pair_table(outcome)
    table = per_regeling(outcome, pairs)
    contacts = outcome.contacts
    n = len(contacts)
    hits = (
        int((contacts["recht"].astype(bool) & ~contacts["gebruikt"].astype(bool)).sum()) if n else 0
    )
    new_claims = int(pairs["nieuwe_aanvraag"].sum())
    total = pairs["maanden_recht"].sum()
    basis = 100 * pairs["maanden_gemist_basis"].sum() / total if total else 0.0
    met = 100 * pairs["maanden_gemist"].sum() / total if total else 0.0
    gaps = fairness(pairs)
    metrics = {
        "bereik": _reach(pairs),
        "precisie": hits / n if n else 0.0,
        "niet_gebruik_basis": basis,
        "niet_gebruik": met,
        "take_up_winst_pp": basis - met,
        "euro_per_jaar": float(table["euro_per_jaar"].sum()),
        "contacten": n,
        "contacten_zonder_recht": int((~contacts["recht"].astype(bool)).sum()) if n else 0,
        "nieuwe_aanvragen": new_claims,
        "contacten_per_nieuwe_aanvraag": n / new_claims if new_claims else float("nan"),
        "kosten": float(contacts["kosten"].sum()) if n else 0.0,
        "mediaan_dagen_tot_contact": float(contacts["dagen"].median()) if n else float("nan"),
        "fairness_gap": max(gaps.values()),
        "registers_gelezen": len(outcome.audit_summary["registers"]),
        "attributen_gelezen": len(outcome.audit_summary["attributen"]),
        "grondslag_schendingen": outcome.audit_summary["violations"],
    }
    for dim, gap in gaps.items():
        metrics[f"fairness_gap.{dim}"] = gap
    for row in table.itertuples():
        for key in ("niet_gebruik_basis", "niet_gebruik", "take_up_winst_pp", "euro_per_jaar"):
            metrics[f"regeling.{row.regeling}.{key}"] = getattr(row, key)
    return metrics, table, pairs
