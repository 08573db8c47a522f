"""The audit log: every simulated register read, allowed or not, with its legal basis.

A simulation opens one `AuditLog` per organisation and purpose and calls `AuditLog.read`
before it uses register data. In ``strict`` mode a read without legal basis stops the run
(`AccessDeniedError`); in ``audit`` mode it is recorded as a violation and the run goes on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Literal

import pandas as pd

from sandbox.errors import AccessDeniedError, LandscapeError
from sandbox.landscape.policy import Decision, Policy

__all__ = ["AUDIT_COLUMNS", "MODES", "AuditLog", "empty_audit"]

AUDIT_COLUMNS = (
    "maand",
    "organisatie",
    "doel",
    "register",
    "attribuut",
    "rijen",
    "toegestaan",
    "grondslag",
    "reden",
)
MODES = ("strict", "audit")
_DTYPES = {
    "maand": "datetime64[ns]",
    "organisatie": "string",
    "doel": "string",
    "register": "string",
    "attribuut": "string",
    "rijen": "int64",
    "toegestaan": "bool",
    "grondslag": "string",
    "reden": "string",
}


def empty_audit() -> pd.DataFrame:
    """An audit log without rows (a run that reads nothing), with the same columns and dtypes."""
    return pd.DataFrame(columns=list(AUDIT_COLUMNS)).astype(_DTYPES)


class AuditLog:
    """The reads of one organisation for one purpose, checked against the access policy.

    Example:
        >>> log = AuditLog(load_policy(), "svb", "proactieve_dienstverlening")
        >>> _ = log.read("svb", ["aow_opbouwjaren"], rows=1200, month=dt.date(2025, 1, 1))
        >>> log.summary()["violations"]
        0
    """

    def __init__(
        self,
        policy: Policy,
        organisatie: str,
        doel: str,
        amvb: Iterable[str] = (),
        mode: Literal["strict", "audit"] = "strict",
    ) -> None:
        """Open a log; unknown organisation, purpose, AMvB or mode is a `LandscapeError`."""
        policy.landscape.check_organisation(organisatie)
        policy.check_purpose(doel)
        self.amvb = (amvb,) if isinstance(amvb, str) else tuple(amvb)
        for name in self.amvb:
            policy.check_amvb(name)
        if mode not in MODES:
            raise LandscapeError(f"unknown audit mode '{mode}'; known: {', '.join(MODES)}")
        self.policy, self.organisatie, self.doel, self.mode = policy, organisatie, doel, mode
        self._rows: list[tuple] = []

    def read(
        self, register: str, attributen: Iterable[str], rows: int, month: dt.date
    ) -> list[Decision]:
        """Record a read of ``attributen`` of ``register`` over ``rows`` units in ``month``.

        Every attribute becomes one row of the log, allowed or not.

        Args:
            register: register id.
            attributen: attribute ids of that register.
            rows: how many units (persons or households) the read covers.
            month: the simulated month of the read.

        Returns:
            The policy's decision per attribute.

        Raises:
            AccessDeniedError: strict mode and an attribute has no legal basis; the message is
                the first denial's reason and the month. The read is recorded first.
            LandscapeError: unknown register or attribute.
        """
        if rows < 0:
            raise ValueError(f"rows must be zero or more, got {rows}")
        decisions = self.policy.check(self.organisatie, self.doel, register, attributen, self.amvb)
        maand = pd.Timestamp(month)
        for d in decisions:
            row = (self.organisatie, self.doel, d.register, d.attribuut, int(rows))
            self._rows.append((maand, *row, d.toegestaan, d.grondslag, d.reden))
        denied = [d for d in decisions if not d.toegestaan]
        if denied and self.mode == "strict":
            raise AccessDeniedError(f"{denied[0].reden} (maand {maand:%Y-%m})")
        return decisions

    @property
    def violations(self) -> int:
        """The number of recorded rows without legal basis."""
        return sum(1 for row in self._rows if not row[6])

    def frame(self) -> pd.DataFrame:
        """The log as a DataFrame with `AUDIT_COLUMNS` and fixed dtypes, also when empty."""
        frame = pd.DataFrame(self._rows, columns=list(AUDIT_COLUMNS))
        return frame.astype(_DTYPES)

    def summary(self) -> dict:
        """Counts for a run's metrics: rows read, registers, ``register.attribuut``, violations."""
        return {
            "reads": len(self._rows),
            "registers": sorted({row[3] for row in self._rows}),
            "attributen": sorted({f"{row[3]}.{row[4]}" for row in self._rows}),
            "violations": self.violations,
        }
