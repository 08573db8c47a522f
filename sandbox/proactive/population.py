"""The ground truth a simulation is scored against, built once per dataset and period.

`prepare` builds the true unit frames, evaluates the regelingen (who is entitled to what in
which month) and lays the entitlements out as arrays of (unit, regeling) pairs × months, with
the features the take-up model uses. Several strategies can be simulated on one `Prepared`.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from sandbox.errors import StrategyError
from sandbox.rules import (
    Regeling,
    build_frames,
    connect_dataset,
    dataset_months,
    evaluate,
    load_catalog,
    select,
)

__all__ = ["Prepared", "prepare"]

Progress = Callable[[str, int, int], None]


@dataclass
class Prepared:
    """A dataset's ground truth over a period, as arrays of (unit, regeling) pairs × months.

    ``con`` keeps the dataset's tables, the true person-month states (``_ps``, ``_adres``) and
    the entitled rows of the evaluation (``rechten`` with ``recht`` true).
    """

    name: str
    manifest: dict
    con: duckdb.DuckDBPyConnection
    months: list[dt.date]
    regelingen: dict[str, Regeling]
    evaluated: dict[str, list[dt.date]]
    pairs: pd.DataFrame
    entitled: np.ndarray
    amount: np.ndarray
    cum_entitled: np.ndarray = field(repr=False)
    index: dict[tuple[str, int], int] = field(repr=False)

    def pair_ids(self, regeling: str, units: np.ndarray) -> np.ndarray:
        """Pair index per unit for ``regeling`` (-1 where the unit is never entitled)."""
        return np.array([self.index.get((regeling, int(u)), -1) for u in units], dtype=np.int64)

    def month_index(self, day: dt.date) -> int:
        """Index of the month holding ``day`` (may lie outside 0..M-1)."""
        first = self.months[0]
        return (day.year - first.year) * 12 + day.month - first.month


def _has_events(con: duckdb.DuckDBPyConnection, name: str) -> None:
    count = con.execute("SELECT count(*) FROM events").fetchall()[0][0]
    if count == 0:
        raise StrategyError(
            f"dataset {name} has no life events: a proactive simulation needs them; "
            "generate it with a period of at least two months"
        )


def prepare(
    name: str,
    regelingen: list[str] | None = None,
    period: str | None = None,
    recent_event_months: int = 6,
    progress: Progress | None = None,
) -> Prepared:
    """Build the ground truth for dataset ``name``.

    Args:
        name: the dataset in the store.
        regelingen: the regelingen to evaluate (default: the catalog's regelingen that have
            parameters for some month of the period).
        period: ``YYYY-MM..YYYY-MM`` within the dataset's period (default: all of it).
        recent_event_months: window for the "recent life event" take-up determinant.
        progress: optional callback ``(step, done, total)``.

    Raises:
        StrategyError: the dataset holds no events, or a regeling has no parameters in the
            period at all.
        RuleError / DatasetNotFoundError: a bad period, an unknown regeling or dataset.
    """
    report = progress or (lambda *a: None)
    con, manifest = connect_dataset(name)
    # spill to the system temp folder, not ./.tmp in whatever folder the user runs from
    spill = Path(tempfile.gettempdir()) / "proactief-lab-duckdb"
    con.execute(f"SET temp_directory = '{spill.as_posix()}'")
    _has_events(con, name)
    months = dataset_months(manifest, period)
    first, last = months[0], months[-1]
    catalog = load_catalog()
    chosen = select(catalog, regelingen)
    usable = [r for r in chosen if any(r.applies(m) and m.year in r.jaren for m in months)]
    if regelingen:
        for reg in chosen:
            if reg not in usable:
                raise StrategyError(
                    f"regeling {reg.id} has no parameters for any month of "
                    f"{first:%Y-%m}..{last:%Y-%m} (encoded years: "
                    f"{', '.join(map(str, reg.jaren))}); choose another period"
                )
    report("waarheid: huishoudens per maand", 0, 3)
    build_frames(con, months)
    report("waarheid: rechten", 1, 3)
    evaluated = evaluate(con, usable, months, encoded_only=True)
    report("waarheid: paren", 2, 3)
    pairs = con.execute(
        f"""
        WITH r AS (
            SELECT regeling::VARCHAR AS regeling, eenheid::VARCHAR AS eenheid, unit_id,
                   min(peildatum) AS eerste_datum,
                   arg_min(bedrag_maand, peildatum) AS bedrag_eerste
            FROM rechten WHERE recht GROUP BY ALL
        ), a AS (
            SELECT r.*, CASE WHEN r.eenheid = 'persoon' THEN r.unit_id
                             ELSE h.aanvrager_id END AS person_id
            FROM r LEFT JOIN frame_huishouden h
              ON r.eenheid = 'huishouden' AND h.household_id = r.unit_id
             AND h.peildatum = r.eerste_datum
        ), ev AS (
            SELECT DISTINCT a.regeling, a.unit_id
            FROM a JOIN events e ON e.person_id = a.person_id
            WHERE e.datum::DATE < a.eerste_datum
              AND e.datum::DATE >= a.eerste_datum - INTERVAL {int(recent_event_months)} MONTH
        )
        SELECT a.regeling, a.eenheid, a.unit_id, a.person_id,
               date_sub('month', DATE '{first}', a.eerste_datum)::INTEGER AS eerste,
               a.bedrag_eerste, p.leeftijd,
               date_sub('month', pe.geboortedatum::DATE, a.eerste_datum) AS leeftijd_maanden,
               p.arbeidsstatus, pe.herkomst, pe.digitale_vaardigheid, pe.taalvaardigheid,
               ev.unit_id IS NOT NULL AS recente_gebeurtenis
        FROM a
        LEFT JOIN frame_persoon p ON p.person_id = a.person_id AND p.peildatum = a.eerste_datum
        LEFT JOIN persons pe ON pe.person_id = a.person_id
        LEFT JOIN ev ON ev.regeling = a.regeling AND ev.unit_id = a.unit_id
        ORDER BY a.regeling, a.unit_id
        """
    ).df()
    # Entitled in the first month the regeling is evaluated: an existing situation, not a new one.
    start = {r: (min(ms) if ms else None) for r, ms in evaluated.items()}
    first_idx = {
        r: (d.year - first.year) * 12 + d.month - first.month for r, d in start.items() if d
    }
    pairs["bestaand"] = pairs["eerste"].to_numpy() == pairs["regeling"].map(first_idx).to_numpy()
    pairs["leeftijd_groep"] = pd.cut(
        pairs["leeftijd"].fillna(-1),
        [-2, 17, 26, 44, 66, 200],
        labels=["onbekend", "18-26", "27-44", "45-66", "67+"],
    ).astype(str)
    index = {
        (r, int(u)): i
        for i, (r, u) in enumerate(zip(pairs["regeling"], pairs["unit_id"], strict=True))
    }
    con.register("_pair_keys", pairs[["regeling", "unit_id"]].reset_index(names="pair"))
    cells = con.execute(
        f"""
        SELECT k.pair, date_sub('month', DATE '{first}', r.peildatum)::INTEGER AS m,
               r.bedrag_maand
        FROM rechten r JOIN _pair_keys k
          ON k.regeling = r.regeling::VARCHAR AND k.unit_id = r.unit_id
        WHERE r.recht
        """
    ).fetchnumpy()
    con.unregister("_pair_keys")
    entitled = np.zeros((len(pairs), len(months)), dtype=bool)
    amount = np.zeros((len(pairs), len(months)))
    entitled[cells["pair"], cells["m"]] = True
    amount[cells["pair"], cells["m"]] = cells["bedrag_maand"]
    # What later steps need stays: the person-month states (`observe` builds the registers'
    # view from them) and the entitled rows of `rechten`; the frames go (gigabytes at 1M).
    con.execute("DROP TABLE frame_persoon")
    con.execute("DROP TABLE frame_huishouden")
    con.execute("DELETE FROM rechten WHERE NOT recht")
    cum = np.zeros((len(pairs), len(months) + 1), dtype=np.int32)
    np.cumsum(entitled, axis=1, out=cum[:, 1:])
    report("waarheid: klaar", 3, 3)
    return Prepared(
        name=name,
        manifest=manifest,
        con=con,
        months=months,
        regelingen={r.id: r for r in usable},
        evaluated=evaluated,
        pairs=pairs,
        entitled=entitled,
        amount=amount,
        cum_entitled=cum,
        index=index,
    )
