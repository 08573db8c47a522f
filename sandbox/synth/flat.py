"""The flat-row model of a household: one row with the household, aanvrager, partner and children.

``flatten`` turns households and persons into flat rows (plus the children and other members
as a table of their own); ``expand`` turns flat rows and member rows back into households and
persons. Ages are years on the peildatum; a partner's age is stored as the difference with the
aanvrager, children's ages as how much older the aanvrager is than the oldest and the youngest
child, so the model learns the family's shape rather than unrelated ages.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "DAYS_PER_YEAR",
    "PERSON_ATTRIBUTES",
    "HOUSING",
    "all_columns",
    "flatten",
    "expand",
    "member_slots",
    "group_columns",
    "household_view",
]

DAYS_PER_YEAR = 365.2425
PERSON_ATTRIBUTES = (
    "geslacht",
    "herkomst",
    "geboren_buitenland",
    "arbeidsstatus",
    "bijbaan",
    "inkomen",
    "vermogen",
    "zorgverzekerd",
    "aow_opbouwjaren",
    "digitale_vaardigheid",
    "taalvaardigheid",
)
HOUSING = {
    "huur_sociaal": ("kale_huur", "servicekosten"),
    "huur_vrij": ("kale_huur", "servicekosten"),
    "koop": ("woz_waarde",),
    "inwonend": (),
}
_WITH_PARTNER = ("paar", "paar_kinderen")
_ADULT = int(18 * DAYS_PER_YEAR) / DAYS_PER_YEAR  # 18 by the day count the reference uses
_WITH_CHILDREN = ("paar_kinderen", "eenouder")


def group_columns(huishoudtype: str, woonsituatie: str) -> list[str]:
    """The flat columns a model of one household type and woonsituatie learns."""
    cols = ["gemeente_code", *HOUSING[woonsituatie], "a_leeftijd"]
    cols += [f"a_{c}" for c in PERSON_ATTRIBUTES]
    if huishoudtype in _WITH_PARTNER:
        cols += ["p_leeftijd_verschil", *(f"p_{c}" for c in PERSON_ATTRIBUTES)]
    if huishoudtype in _WITH_CHILDREN:
        cols += ["k_aantal", "k_oudste_verschil", "k_jongste_verschil"]
    if huishoudtype == "overig":
        cols += ["o_aantal", "o_leeftijd_verschil"]
    return cols


def all_columns() -> list[str]:
    """Every flat column of any household type and woonsituatie, in a fixed order."""
    out: list[str] = []
    for huishoudtype in ("paar_kinderen", "overig"):
        for woonsituatie in ("huur_sociaal", "koop"):
            out += [c for c in group_columns(huishoudtype, woonsituatie) if c not in out]
    return out


def _age(persons: pd.DataFrame, peildatum: pd.Timestamp) -> np.ndarray:
    days = (peildatum - persons["geboortedatum"]).dt.days.to_numpy(np.int64)
    return days / DAYS_PER_YEAR


def flatten(
    households: pd.DataFrame, persons: pd.DataFrame, peildatum: pd.Timestamp
) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """Turn households and persons into flat household rows and member rows.

    Households without exactly one aanvrager or with more than one partner cannot be a flat
    row; they are left out and counted.

    Args:
        households: one row per household (needs ``huishoudtype`` and the housing columns).
        persons: the members, with ``rol`` and ``geboortedatum``.
        peildatum: the day ages are taken on.

    Returns:
        Flat rows indexed 0..n-1 (with ``household_id``), member rows (children and other
        members with ``household_id``, ``rol``, ``leeftijd`` and the person attributes), and
        the number of households left out.
    """
    p = persons.assign(leeftijd=_age(persons, peildatum))
    counts = pd.crosstab(p["household_id"], p["rol"])
    for rol in ("aanvrager", "partner"):
        if rol not in counts:
            counts[rol] = 0
    ok = counts.index[(counts["aanvrager"] == 1) & (counts["partner"] <= 1)]
    hh = households[households["household_id"].isin(ok)]
    left_out = len(households) - len(hh)
    p = p[p["household_id"].isin(hh["household_id"])]
    cols = ["household_id", "huishoudtype", "woonsituatie", "gemeente_code"]
    flat = hh[cols + ["kale_huur", "servicekosten", "woz_waarde"]].reset_index(drop=True)
    flat["gemeente_code"] = flat["gemeente_code"].astype(object)
    person_cols = ["household_id", "leeftijd", *PERSON_ATTRIBUTES]
    head = p.loc[p["rol"] == "aanvrager", person_cols].set_index("household_id")
    head = head.add_prefix("a_").reindex(flat["household_id"])
    partner = p.loc[p["rol"] == "partner", person_cols].set_index("household_id")
    partner = partner.add_prefix("p_").reindex(flat["household_id"])
    partner["p_a_leeftijd"] = head["a_leeftijd"]
    flat = pd.concat([flat, head.reset_index(drop=True)], axis=1)
    partner["p_leeftijd_verschil"] = partner["p_leeftijd"] - partner.pop("p_a_leeftijd")
    flat = pd.concat([flat, partner.drop(columns="p_leeftijd").reset_index(drop=True)], axis=1)
    kids = p[p["rol"] == "kind"].groupby("household_id")["leeftijd"].agg(["size", "max", "min"])
    kids = kids.reindex(flat["household_id"])
    flat["k_aantal"] = kids["size"].to_numpy()
    flat["k_oudste_verschil"] = flat["a_leeftijd"] - kids["max"].to_numpy()
    flat["k_jongste_verschil"] = flat["a_leeftijd"] - kids["min"].to_numpy()
    mates = p[p["rol"] == "overig"].groupby("household_id")["leeftijd"].agg(["size", "mean"])
    mates = mates.reindex(flat["household_id"])
    flat["o_aantal"] = mates["size"].to_numpy()
    flat["o_leeftijd_verschil"] = mates["mean"].to_numpy() - flat["a_leeftijd"]
    for col in flat.columns:
        if str(flat[col].dtype) in ("string", "boolean"):
            flat[col] = flat[col].astype(object)
    members = p.loc[p["rol"].isin(["kind", "overig"]) & p["household_id"].isin(ok)]
    members = members[["household_id", "rol", "leeftijd", *PERSON_ATTRIBUTES]]
    members = members.astype({c: object for c in members.columns if members[c].dtype != float})
    members["household_id"] = members["household_id"].astype(np.int64)
    return flat, members.reset_index(drop=True), left_out


def _ages_of_children(flat: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per child: the flat row it belongs to and its age (oldest, evenly spaced, youngest)."""
    n = flat["k_aantal"].fillna(0).to_numpy().astype(np.int64)
    owner = np.repeat(np.arange(len(flat)), n)
    order = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    oldest = (flat["a_leeftijd"] - flat["k_oudste_verschil"]).to_numpy()[owner]
    youngest = (flat["a_leeftijd"] - flat["k_jongste_verschil"]).to_numpy()[owner]
    step = np.where(n[owner] > 1, order / np.maximum(n[owner] - 1, 1), 0.0)
    return owner, oldest + (youngest - oldest) * step


def expand(
    flat: pd.DataFrame,
    members: dict[str, pd.DataFrame],
    peildatum: pd.Timestamp,
    rng: np.random.Generator,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Turn flat rows back into households and persons (without identities or addresses).

    Args:
        flat: synthetic flat rows (with ``huishoudtype`` and ``woonsituatie``).
        members: per rol (``kind``, ``overig``), one row per member the flat rows ask for
            (see :func:`member_slots`), with ``household_id`` (the flat row), ``rol``,
            ``leeftijd`` and the person attributes.
        peildatum: the day the ages refer to.
        rng: random state (for the ages of a second other member).

    Returns:
        ``households`` (``household_id`` 0..n-1) and ``persons`` in household order.
    """
    n = len(flat)
    households = pd.DataFrame(
        {
            "household_id": np.arange(n, dtype=np.int64),
            "huishoudtype": flat["huishoudtype"].to_numpy(object),
            "gemeente_code": flat["gemeente_code"].to_numpy(object),
            "woonsituatie": flat["woonsituatie"].to_numpy(object),
            "kale_huur": flat["kale_huur"].to_numpy(float),
            "servicekosten": flat["servicekosten"].to_numpy(float),
            "woz_waarde": flat["woz_waarde"].to_numpy(float),
        }
    )
    parts = []
    head = flat[[f"a_{c}" for c in PERSON_ATTRIBUTES]].set_axis(list(PERSON_ATTRIBUTES), axis=1)
    parts.append(
        head.assign(household_id=np.arange(n), rol="aanvrager", leeftijd=flat["a_leeftijd"])
    )
    has_p = flat["p_leeftijd_verschil"].notna().to_numpy()
    partner = flat.loc[has_p, [f"p_{c}" for c in PERSON_ATTRIBUTES]]
    partner = partner.set_axis(list(PERSON_ATTRIBUTES), axis=1)
    age_p = (flat["a_leeftijd"] + flat["p_leeftijd_verschil"])[has_p]
    parts.append(partner.assign(household_id=np.flatnonzero(has_p), rol="partner", leeftijd=age_p))
    for rol in ("kind", "overig"):
        frame = members.get(rol)
        if frame is not None and len(frame):
            parts.append(frame)
    persons = pd.concat([p.reset_index(drop=True) for p in parts], ignore_index=True)
    order = {"aanvrager": 0, "partner": 1, "kind": 2, "overig": 3}
    persons = persons.assign(_o=persons["rol"].map(order))
    persons = persons.sort_values(["household_id", "_o"], kind="stable").drop(columns="_o")
    days = np.maximum(np.round(persons["leeftijd"].to_numpy(float) * DAYS_PER_YEAR), 1)
    born = np.datetime64(peildatum.date(), "D") - days.astype("timedelta64[D]")
    persons = persons.assign(geboortedatum=born.astype("datetime64[ms]"))
    return households, persons.drop(columns="leeftijd").reset_index(drop=True)


def member_slots(flat: pd.DataFrame, rng: np.random.Generator) -> dict[str, pd.DataFrame]:
    """The children and other members the flat rows ask for: household row, rol and age."""
    owner, ages = _ages_of_children(flat)
    kids = pd.DataFrame({"household_id": owner, "rol": "kind", "leeftijd": ages})
    n = flat["o_aantal"].fillna(0).to_numpy().astype(np.int64)
    o_owner = np.repeat(np.arange(len(flat)), n)
    base = (flat["a_leeftijd"] + flat["o_leeftijd_verschil"]).to_numpy()[o_owner]
    # Two others share the mean age difference; spread them a little (assumption: 2 years).
    jitter = np.where(n[o_owner] > 1, rng.normal(0, 2, len(o_owner)), 0.0)
    others = pd.DataFrame(
        {"household_id": o_owner, "rol": "overig", "leeftijd": np.maximum(base + jitter, _ADULT)}
    )
    return {"kind": kids, "overig": others}


def household_view(households: pd.DataFrame, persons: pd.DataFrame, peildatum) -> pd.DataFrame:
    """Households with their members summarised, as the report compares them.

    Absolute ages instead of differences, and the household size, so two populations can be
    compared column by column whatever model made them.
    """
    flat, _, _ = flatten(households, persons, peildatum)
    size = persons.groupby("household_id").size().reindex(flat["household_id"]).to_numpy()
    view = flat.drop(columns=["household_id"]).assign(grootte=size)
    view["p_leeftijd"] = view["a_leeftijd"] + view.pop("p_leeftijd_verschil")
    view["k_oudste_leeftijd"] = view["a_leeftijd"] - view.pop("k_oudste_verschil")
    view["k_jongste_leeftijd"] = view["a_leeftijd"] - view.pop("k_jongste_verschil")
    view["o_leeftijd"] = view["a_leeftijd"] + view.pop("o_leeftijd_verschil")
    return view
