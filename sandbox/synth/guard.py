"""The release guard: no synthetic household may copy a source household, no identity may recur.

A synthetic household *copies* a source household when they agree on every quasi-identifier:
the gemeente, household type, woonsituatie, the exact birth date, sex and rol of every member,
and the aanvrager's income to the euro. Birth dates of all members and an exact income are
what makes a household re-identifiable, and together they are so specific that independent
populations do not share them by chance (measured in docs/synth.md), so a match means the
model reproduced a source row. An identity recurs when a BSN, or a name with birth date and
address, is found in both populations.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import pandas as pd

from sandbox.errors import ReleaseBlockedError

__all__ = [
    "QUASI_IDENTIFIERS",
    "IDENTITY_COLUMNS",
    "GuardFindings",
    "quasi_identifier_keys",
    "check_release",
    "enforce",
]

QUASI_IDENTIFIERS = {
    "huishouden": ("gemeente_code", "huishoudtype", "woonsituatie"),
    "per lid": ("rol", "geboortedatum", "geslacht"),
    "aanvrager": ("inkomen",),
}
IDENTITY_COLUMNS = (
    "voornaam",
    "tussenvoegsel",
    "achternaam",
    "geboortedatum",
    "straat",
    "huisnummer",
    "postcode",
    "woonplaats",
)
_EXAMPLES = 5


@dataclass
class GuardFindings:
    """What the guard found; ``passed`` is false when anything was copied or recurs."""

    households_checked: int
    copied_households: int
    bsn_overlap: int
    identity_overlap: int
    examples: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """True when nothing was copied and no identity recurs."""
        return self.copied_households == 0 and self.bsn_overlap == 0 and self.identity_overlap == 0

    def to_dict(self) -> dict:
        """The findings as plain data for JSON, with the rule that was applied."""
        return {
            **asdict(self),
            "passed": self.passed,
            "quasi_identifiers": {k: list(v) for k, v in QUASI_IDENTIFIERS.items()},
            "identiteit": ["bsn", list(IDENTITY_COLUMNS)],
        }


def quasi_identifier_keys(households: pd.DataFrame, persons: pd.DataFrame) -> pd.Series:
    """One text key per household from its quasi-identifiers, indexed by ``household_id``.

    Args:
        households: households (``household_id``, the household quasi-identifiers).
        persons: their members on the same day (``rol``, ``geboortedatum``, ``geslacht``,
            ``inkomen``).

    Returns:
        The key of every household that has members.
    """
    p = persons[["household_id", "rol", "geboortedatum", "geslacht", "inkomen"]].copy()
    born = p["geboortedatum"].to_numpy("datetime64[D]").astype(str)
    p["lid"] = p["rol"].astype(str) + "/" + born + "/" + p["geslacht"].astype(str)
    p = p.sort_values(["household_id", "lid"], kind="stable")
    members = p.groupby("household_id", sort=True)["lid"].agg(";".join)
    head = p[p["rol"] == "aanvrager"].groupby("household_id")["inkomen"].first()
    h = households.set_index("household_id").reindex(members.index)
    key = (
        h["gemeente_code"].astype(str)
        + "|"
        + h["huishoudtype"].astype(str)
        + "|"
        + h["woonsituatie"].astype(str)
        + "|"
        + members
        + "|"
        + head.reindex(members.index).round(0).astype(str)
    )
    return key


def _identity_keys(households: pd.DataFrame, persons: pd.DataFrame) -> pd.Series:
    address = households.set_index("household_id")[
        ["straat", "huisnummer", "postcode", "woonplaats"]
    ]
    p = persons.join(address, on="household_id")
    parts = [p[c].astype(str).fillna("") for c in IDENTITY_COLUMNS if c != "geboortedatum"]
    born = pd.Series(p["geboortedatum"].to_numpy("datetime64[D]").astype(str), index=p.index)
    key = born
    for part in parts:
        key = key + "|" + part.str.lower()
    return key


def check_release(
    synthetic: tuple[pd.DataFrame, pd.DataFrame],
    source: tuple[pd.DataFrame, pd.DataFrame],
    source_all: tuple[pd.DataFrame, pd.DataFrame] | None = None,
) -> GuardFindings:
    """Compare a synthetic population with its source.

    Args:
        synthetic: (households, persons) of the synthetic population on the peildatum.
        source: (households, persons) of the source on the peildatum.
        source_all: every source household and person (also those born or formed later), for
            the identity checks; defaults to ``source``.

    Returns:
        The findings; they name up to five copied households and recurring identities.
    """
    syn_keys = quasi_identifier_keys(*synthetic)
    src_keys = quasi_identifier_keys(*source)
    copied = syn_keys[syn_keys.isin(set(src_keys))]
    everyone = source_all or source
    syn_bsn = set(synthetic[1]["bsn"].astype(str))
    bsn_hits = syn_bsn & set(everyone[1]["bsn"].astype(str))
    id_syn = _identity_keys(*synthetic)
    id_hits = id_syn[id_syn.isin(set(_identity_keys(*everyone)))]
    examples = [f"huishouden {hid}: {key}" for hid, key in copied.head(_EXAMPLES).items()]
    examples += [f"bsn {b}" for b in sorted(bsn_hits)[:_EXAMPLES]]
    examples += [f"identiteit {k}" for k in id_hits.head(_EXAMPLES)]
    return GuardFindings(
        households_checked=int(len(syn_keys)),
        copied_households=int(len(copied)),
        bsn_overlap=len(bsn_hits),
        identity_overlap=int(len(id_hits)),
        examples=examples,
    )


def enforce(findings: GuardFindings, name: str) -> None:
    """Refuse a release that failed the guard.

    Raises:
        ReleaseBlockedError: a household was copied or an identity recurs.
    """
    if findings.passed:
        return
    raise ReleaseBlockedError(
        f"release '{name}' refused and not written: {findings.copied_households} households "
        f"equal a source household on the quasi-identifiers, {findings.bsn_overlap} BSNs and "
        f"{findings.identity_overlap} identities (name, birth date, address) occur in the "
        f"source (first: {(findings.examples or ['-'])[0]}); refit with more data or another "
        "seed, or sample again with another --seed"
    )
