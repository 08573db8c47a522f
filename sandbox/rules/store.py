"""Evaluate the catalog for a dataset over a period and write the entitlements next to it."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from sandbox.dataset import TABLES, dataset_path, read_manifest
from sandbox.errors import RuleError
from sandbox.rules.catalog import check_years, load_catalog, select
from sandbox.rules.engine import evaluate
from sandbox.rules.frame import build_frames, month_starts

__all__ = ["Summary", "connect_dataset", "dataset_months", "evaluate_dataset", "parse_period"]

Progress = Callable[[str, int, int], None]
_PERIOD = re.compile(r"^(\d{4})-(\d{2})(?:\.\.(\d{4})-(\d{2}))?$")


def parse_period(text: str) -> tuple[dt.date, dt.date]:
    """Parse ``2025-01..2025-12`` (or one month, ``2025-03``) into first and last month.

    Raises:
        RuleError: not of that form, a month outside 1-12, or the end before the start.
    """
    m = _PERIOD.match(text.strip())
    if not m:
        raise RuleError(f"period '{text}': expected YYYY-MM..YYYY-MM, e.g. 2025-01..2025-12")
    y1, m1, y2, m2 = m.groups()
    y2, m2 = y2 or y1, m2 or m1
    try:
        first, last = dt.date(int(y1), int(m1), 1), dt.date(int(y2), int(m2), 1)
    except ValueError:
        raise RuleError(f"period '{text}': a month must be 01-12") from None
    if last < first:
        raise RuleError(f"period '{text}': the end lies before the start")
    return first, last


def dataset_months(manifest: dict, period: str | None = None) -> list[dt.date]:
    """The first days of the months of ``period`` (default: the dataset's whole period).

    Raises:
        RuleError: a malformed period, or one that lies outside the dataset's period.
    """
    van, tot = parse_period(manifest["period"]["van"] + ".." + manifest["period"]["tot"])
    first, last = parse_period(period) if period else (van, tot)
    if first < van or last > tot:
        raise RuleError(
            f"period {first:%Y-%m}..{last:%Y-%m} lies outside dataset {manifest['name']}'s "
            f"period {van:%Y-%m}..{tot:%Y-%m}"
        )
    return month_starts(first, last)


@dataclass
class Summary:
    """Per regeling: units entitled on average per month and euros per year."""

    path: Path
    months: int
    rows: int
    per_regeling: list[dict]


def connect_dataset(name: str) -> tuple[duckdb.DuckDBPyConnection, dict]:
    """A DuckDB connection with the dataset's tables as views, and its manifest."""
    manifest = read_manifest(name)
    folder = dataset_path(name)
    con = duckdb.connect()
    for table in TABLES:
        path = str(folder / f"{table}.parquet").replace("'", "''")
        con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{path}')")
    return con, manifest


def _noop(step: str, done: int, total: int) -> None:
    return None


def evaluate_dataset(
    name: str,
    period: str | None = None,
    regelingen: list[str] | None = None,
    output: Path | None = None,
    progress: Progress | None = None,
) -> Summary:
    """Evaluate the catalog for dataset ``name`` and write one row per unit, regeling and month.

    Args:
        name: the dataset in the store.
        period: ``YYYY-MM..YYYY-MM`` within the dataset's period (default: all of it).
        regelingen: ids to evaluate (default: the whole catalog).
        output: Parquet file to write (default: ``rechten-<van>-<tot>.parquet`` in the
            dataset folder); written atomically.
        progress: optional callback ``(step, done, total)``.

    Returns:
        Where the entitlements went and a summary per regeling.

    Raises:
        RuleError: a bad period, an unknown regeling, a year without parameters.
        DatasetNotFoundError: no such dataset.
    """
    report = progress or _noop
    catalog = load_catalog()
    chosen = select(catalog, regelingen)
    con, manifest = connect_dataset(name)
    months = dataset_months(manifest, period)
    first, last = months[0], months[-1]
    for reg in chosen:  # fail before any work when a year lacks parameters
        check_years(reg, months)
    report("huishoudens per maand", 0, 3)
    build_frames(con, months)
    report("regelingen", 1, 3)
    plan = evaluate(con, chosen, months)
    report("wegschrijven", 2, 3)
    out = (
        Path(output)
        if output
        else (dataset_path(name) / f"rechten-{first:%Y-%m}-{last:%Y-%m}.parquet")
    )
    tmp = out.with_name(f".{out.name}.tmp")
    try:
        con.execute(f"COPY rechten TO '{tmp}' (FORMAT parquet, COMPRESSION zstd)")
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    rows = con.execute(
        """
        SELECT regeling, any_value(eenheid) AS eenheid,
               count(DISTINCT peildatum) AS maanden,
               count(*) FILTER (WHERE recht) AS recht_maanden,
               sum(bedrag_maand) AS bedrag
        FROM rechten GROUP BY regeling
        """
    ).fetchall()
    found = {r[0]: r for r in rows}
    per = []
    for reg in chosen:
        r = found.get(reg.id)
        n = len(plan[reg.id])
        per.append(
            {
                "regeling": reg.id,
                "eenheid": reg.eenheid,
                "maanden": n,
                "eenheden_met_recht": (r[3] / n) if r and n else 0.0,
                "bedrag_per_jaar": (r[4] * 12 / n) if r and n else 0.0,
            }
        )
    total = con.execute("SELECT count(*) FROM rechten").fetchone()[0]
    report("klaar", 3, 3)
    con.close()
    return Summary(path=out, months=len(months), rows=total, per_regeling=per)
