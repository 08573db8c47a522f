"""Benchmark the rules engine against the per-household case-file path, side by side.

Run ``.venv/bin/python benchmarks/rules.py [--persons 1000000] [--months 12] [--cases 40]``.
It generates a population in memory, evaluates the whole catalog for every unit and month in
DuckDB, then evaluates sampled households one by one through `sandbox.rules.calc` (the path
of `sandbox rules calc CASE.json`), and prints both throughputs and their ratio. Nothing is
written; timings are information, never asserted.
"""

# ruff: noqa: E402  (imports follow the bytecode switch below)
from __future__ import annotations

import sys

sys.dont_write_bytecode = True

import argparse
import datetime as dt
import os
import time

import duckdb
import numpy as np
import pyarrow as pa

from sandbox.rules import Case, build_frames, calc, evaluate, load_catalog, month_starts
from sandbox.world import Recipe, generate

GOAL_RATE, GOAL_RATIO = 10_000_000, 1_000


def _population(persons: int, months: int):
    van = "2025-01"
    tot = (np.datetime64(van) + np.timedelta64(months - 1, "M")).astype(str)
    recipe = Recipe.model_validate(
        {
            "name": "bench",
            "persons": persons,
            "seed": 11,
            "period": {"van": van, "tot": tot},
        }
    )
    return generate(recipe)


def _cases(con: duckdb.DuckDBPyConnection, n: int, rng: np.random.Generator) -> list[Case]:
    """Sample ``n`` households of the first month as case files (their state on that day)."""
    ids = con.execute(
        "SELECT DISTINCT household_id FROM frame_huishouden WHERE peildatum = DATE '2025-01-01'"
    ).fetchall()
    chosen = rng.choice([i[0] for i in ids], size=n, replace=False).tolist()
    out = []
    for hid in chosen:
        hh = con.execute(
            "SELECT gemeente_code, woonsituatie, kale_huur, servicekosten, woz_waarde "
            "FROM frame_huishouden WHERE household_id = ? AND peildatum = DATE '2025-01-01'",
            [hid],
        ).fetchone()
        members = con.execute(
            "SELECT person_id, rol, geboortedatum, inkomen, vermogen, zorgverzekerd, "
            "arbeidsstatus, aow_opbouwjaren FROM frame_persoon "
            "WHERE household_id = ? AND peildatum = DATE '2025-01-01'",
            [hid],
        ).fetchall()
        out.append(
            Case.model_validate(
                {
                    "peildatum": "2025-01-01",
                    "huishouden": dict(
                        zip(
                            (
                                "gemeente_code",
                                "woonsituatie",
                                "kale_huur",
                                "servicekosten",
                                "woz_waarde",
                            ),
                            (hh[0], hh[1], hh[2] or 0.0, hh[3] or 0.0, hh[4] or 0.0),
                            strict=True,
                        )
                    ),
                    "personen": [
                        {
                            "id": str(m[0]),
                            "rol": m[1],
                            "geboortedatum": m[2],
                            "inkomen": m[3],
                            "vermogen": max(m[4], 0.0),
                            "zorgverzekerd": m[5],
                            "arbeidsstatus": m[6],
                            "aow_opbouwjaren": m[7],
                        }
                        for m in members
                    ],
                }
            )
        )
    return out


def main() -> None:
    """Parse arguments, run both paths, print the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--cases", type=int, default=40)
    args = parser.parse_args()

    catalog = list(load_catalog().values())
    t0 = time.perf_counter()
    pop = _population(args.persons, args.months)
    print(
        f"population: {len(pop.persons):,} persons, {len(pop.households):,} households "
        f"({time.perf_counter() - t0:.1f} s to generate, not counted)"
    )
    months = month_starts(dt.date(2025, 1, 1), dt.date(2025, args.months, 1))
    months = [m for m in months if m.year == 2025] or months

    con = duckdb.connect()
    for table in ("persons", "households", "events"):
        # As Arrow, the way the engine reads a dataset's Parquet files (not pandas objects).
        con.register(table, pa.Table.from_pandas(getattr(pop, table), preserve_index=False))
    t0 = time.perf_counter()
    build_frames(con, months)
    t_frames = time.perf_counter() - t0
    t0 = time.perf_counter()
    evaluate(con, catalog, months)
    t_eval = time.perf_counter() - t0
    rows = con.execute("SELECT count(*) FROM rechten").fetchone()[0]

    rng = np.random.default_rng(5)
    cases = _cases(con, args.cases, rng)
    t0 = time.perf_counter()
    case_rows = 0
    for case in cases:
        case_rows += len(calc(case, catalog))
    t_case = time.perf_counter() - t0
    # calc reports person-level regelingen for adults only; count units as the engine does.
    per_case_units = case_rows / len(cases)

    engine_rate = rows / (t_frames + t_eval)
    eval_rate = rows / t_eval
    case_rate = case_rows / t_case
    print(f"cores: {os.cpu_count()}, regelingen: {len(catalog)}, months: {len(months)}")
    print(f"{'path':<44}{'unit-regeling-months':>22}{'seconds':>10}{'per second':>16}")
    print(
        f"{'engine: frames + evaluation (DuckDB)':<44}{rows:>22,}"
        f"{t_frames + t_eval:>10.2f}{engine_rate:>16,.0f}"
    )
    print(f"{'  of which evaluation only':<44}{rows:>22,}{t_eval:>10.2f}{eval_rate:>16,.0f}")
    print(
        f"{'case-file path, household by household':<44}{case_rows:>22,}"
        f"{t_case:>10.2f}{case_rate:>16,.0f}"
    )
    print(f"  ({len(cases)} households, {per_case_units:.1f} results each, one month per call)")
    ratio = engine_rate / case_rate
    print(f"ratio engine / case path: {ratio:,.0f}x (goal >= {GOAL_RATIO:,}x)")
    print(
        f"engine throughput {engine_rate / 1e6:.1f}M/s (goal >= {GOAL_RATE / 1e6:.0f}M/s): "
        f"{'met' if engine_rate >= GOAL_RATE else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
