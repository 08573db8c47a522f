"""Triggers: the persons a strategy looks at each month, and when it contacts them.

Life events are seen once the register that records them has them (its lag) plus the
strategy's own delay; a register signal fires in the month it turns true in the registers'
view; a periodic scan looks at every adult in the scan months. A filter narrows any of them.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from sandbox.landscape import EVENT_REGISTER, OBSERVED_PREFIX
from sandbox.proactive.population import Prepared
from sandbox.proactive.strategy import Strategy

__all__ = ["triggered_persons", "apply_filter"]


def triggered_persons(
    con: duckdb.DuckDBPyConnection,
    strategy: Strategy,
    prepared: Prepared,
    lags: dict[str, tuple[int, bool]],
) -> pd.DataFrame:
    """Persons the strategy looks at: person_id, gebeurtenis_datum, contact_datum, maand.

    Life events need no registers' view; a signal or a scan reads ``obs_persoon``.
    """
    trigger = strategy.trigger
    first, last = prepared.months[0], prepared.months[-1]
    end = (pd.Timestamp(last) + pd.offsets.MonthBegin(1)).date()
    delay = strategy.vertraging_dagen
    if trigger.gebeurtenissen:

        def seen(event: str) -> str:
            months, after_year = lags[EVENT_REGISTER[event][0]]
            base = "date_trunc('year', datum) + INTERVAL 1 YEAR" if after_year else "datum"
            return f"WHEN '{event}' THEN {base} + to_months({months})"

        cases = " ".join(seen(e) for e in trigger.gebeurtenissen)
        found = con.execute(
            f"""
            SELECT person_id, datum::DATE AS gebeurtenis_datum,
                   ((CASE soort {cases} END)::DATE + {delay})::DATE AS contact_datum
            FROM events WHERE soort IN ({", ".join(f"'{e}'" for e in trigger.gebeurtenissen)})
            """
        ).df()
    elif trigger.signaal:
        found = con.execute(
            f"""
            WITH s AS (
                SELECT person_id, peildatum, coalesce(({trigger.signaal}), FALSE) AS aan,
                       lag(coalesce(({trigger.signaal}), FALSE))
                           OVER (PARTITION BY person_id ORDER BY peildatum) AS was
                FROM {OBSERVED_PREFIX}_persoon
            )
            SELECT person_id, peildatum AS gebeurtenis_datum,
                   (peildatum + {delay})::DATE AS contact_datum
            FROM s WHERE aan AND was IS NOT NULL AND NOT was
            """
        ).df()
    else:
        scans = prepared.months[:: trigger.periodiek_maanden]
        found = con.execute(
            f"""
            SELECT person_id, peildatum AS gebeurtenis_datum,
                   (peildatum + {delay})::DATE AS contact_datum
            FROM {OBSERVED_PREFIX}_persoon
            WHERE peildatum IN ({", ".join(f"DATE '{m}'" for m in scans)}) AND leeftijd >= 18
            """
        ).df()
    if found.empty:
        return found.assign(maand=pd.Series(dtype="datetime64[s]"))
    found["contact_datum"] = pd.to_datetime(found["contact_datum"])
    found["gebeurtenis_datum"] = pd.to_datetime(found["gebeurtenis_datum"])
    found = found[
        (found["contact_datum"] >= pd.Timestamp(first))
        & (found["contact_datum"] < pd.Timestamp(end))
    ].copy()
    found["maand"] = found["contact_datum"].dt.to_period("M").dt.to_timestamp()
    return found


def apply_filter(con: duckdb.DuckDBPyConnection, strategy: Strategy, found: pd.DataFrame):
    """The triggered persons for whom the trigger's filter holds in the observed frame."""
    trigger = strategy.trigger
    if trigger.filter and not found.empty:
        con.register("_trig", found)
        kept = con.execute(
            f"""
            SELECT t.* FROM _trig t JOIN {OBSERVED_PREFIX}_persoon o
              ON o.person_id = t.person_id AND o.peildatum = t.maand::DATE
            WHERE coalesce(({trigger.filter}), FALSE)
            """
        ).df()
        con.unregister("_trig")
        found = kept
    return found.sort_values(["maand", "person_id"]).reset_index(drop=True)
