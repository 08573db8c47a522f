"""Benchmark synthesis: flat-row GaussianCopula per household type against SDV's HMA.

Run ``.venv/bin/python benchmarks/synth.py [--persons 100000] [--households 200000]
[--small 1000]``. It generates a reference population in memory, then prints, side by side:

1. households sampled per second by the flat-row synthesizer at scale (households expanded to
   persons, before identities and events), and the whole ``sample_population`` for comparison;
2. SDV's multi-table HMA on the same households -> persons data at small size: fit and sample
   time, households per second, and quality at household and person level, against the
   flat-row synthesizer fitted on the same training households.

It writes nothing. Timings are information, never asserted.
"""

# ruff: noqa: E402  (imports follow the bytecode switch below)
from __future__ import annotations

import sys

sys.dont_write_bytecode = True  # write nothing into the repo

import argparse
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from sandbox.synth.flat import PERSON_ATTRIBUTES, flatten, household_view
from sandbox.synth.model import fit
from sandbox.synth.report import _plain, _quality, person_view
from sandbox.synth.sample import _draw, sample_population
from sandbox.synth.sampling import sdv_quiet
from sandbox.synth.source import Source
from sandbox.world import Recipe, generate

GOAL_RATE = 50_000  # households per second on 2 cores
GOAL_RATIO = 100.0  # flat rows must sample at least this many times faster than HMA
GOAL_QUALITY_GAP = 0.02  # ... with quality at most this much lower


def _source(persons: int, seed: int) -> Source:
    recipe = Recipe(
        name="bench",
        description="benchmark",
        persons=persons,
        seed=seed,
        period={"van": "2025-01", "tot": "2026-12"},
    )
    pop = generate(recipe)
    day = pd.Timestamp("2025-01-01")
    hh = pop.households[pop.households["ontstaan"].isna()].reset_index(drop=True)
    p = pop.persons[pop.persons["geboortedatum"] < day].reset_index(drop=True)
    # Kind "extract": an in-memory source whose start state is all there is (no store lookup).
    return Source("bench", "extract", Path("."), day, recipe.period.model_dump(), hh, p, {})


def _subset(source: Source, households: int) -> Source:
    hh = source.households[source.households["household_id"] < households]
    p = source.persons[source.persons["household_id"].isin(hh["household_id"])]
    return Source(source.name, source.kind, source.path, source.peildatum, source.period, hh, p, {})


def _rate(seconds: float, n: int) -> str:
    return f"{n / seconds:,.0f}/s"


def scale(source: Source, households: int) -> float:
    """Households per second of the flat-row synthesizer at scale."""
    t0 = time.perf_counter()
    syn = fit(source, "gaussian_copula", "bench", seed=1)
    fit_s = time.perf_counter() - t0
    rng = np.random.default_rng(2)
    _draw(syn, 1000, rng, source.peildatum)  # warm up
    t0 = time.perf_counter()
    hh, persons = _draw(syn, households, rng, source.peildatum)
    draw_s = time.perf_counter() - t0
    n_source = len(source.households)
    t0 = time.perf_counter()
    result = sample_population(syn, n_source, seed=3, source=source)
    full_s = time.perf_counter() - t0
    rate = households / draw_s
    print("\n1. Flat-row GaussianCopula per household type x woonsituatie, at scale")
    print(f"   source: {n_source:,} households, {len(source.persons):,} persons; fit {fit_s:.1f} s")
    print(
        f"   sample {households:,} households -> {len(persons):,} persons: {draw_s:.2f} s = "
        f"{_rate(draw_s, households)} households, {_rate(draw_s, len(persons))} persons "
        f"(goal {GOAL_RATE:,}/s: {'met' if rate >= GOAL_RATE else 'NOT met'})"
    )
    steps = ", ".join(f"{k} {v:.1f} s" for k, v in result.seconds.items())
    print(
        f"   whole sample_population of {n_source:,} households (identities, 24 months of "
        f"events, guard): {full_s:.1f} s ({steps})"
    )
    return rate


def _hma_metadata(hh: pd.DataFrame, p: pd.DataFrame):
    from sdv.metadata import Metadata

    def columns(frame: pd.DataFrame, key: str, ids: tuple[str, ...]) -> dict:
        out = {}
        for col in frame.columns:
            if col in ids:
                out[col] = {"sdtype": "id"}
            elif pd.api.types.is_float_dtype(frame[col]):
                out[col] = {"sdtype": "numerical"}
            else:
                out[col] = {"sdtype": "categorical"}
        return {"primary_key": key, "columns": out}

    return Metadata.load_from_dict(
        {
            "tables": {
                "households": columns(hh, "household_id", ("household_id",)),
                "persons": columns(p, "person_id", ("person_id", "household_id")),
            },
            "relationships": [
                {
                    "parent_table_name": "households",
                    "parent_primary_key": "household_id",
                    "child_table_name": "persons",
                    "child_foreign_key": "household_id",
                }
            ],
        }
    )


def _hma_tables(source: Source, keep: pd.Series) -> tuple[pd.DataFrame, pd.DataFrame]:
    cols = ["household_id", "huishoudtype", "gemeente_code", "woonsituatie"]
    hh = source.households.loc[keep, cols + ["kale_huur", "servicekosten", "woz_waarde"]]
    p = source.persons[source.persons["household_id"].isin(hh["household_id"])]
    days = (source.peildatum - p["geboortedatum"]).dt.days
    p = p[["person_id", "household_id", "rol", *PERSON_ATTRIBUTES]].assign(leeftijd=days / 365.2425)
    hh, p = _plain(hh), _plain(p)
    for frame, key in ((hh, "household_id"), (p, "person_id")):
        frame[key] = frame[key].astype(np.int64)
    p["household_id"] = p["household_id"].astype(np.int64)
    for col in ("aow_opbouwjaren", "inkomen", "vermogen"):
        p[col] = p[col].astype(float)
    return hh.reset_index(drop=True), p.reset_index(drop=True)


def _to_tables(hh: pd.DataFrame, p: pd.DataFrame, day: pd.Timestamp):
    """HMA output in the shape the report's views read (birth dates from ages)."""
    days = np.maximum(np.round(p["leeftijd"].to_numpy(float) * 365.2425), 1)
    born = np.datetime64(day.date(), "D") - days.astype("timedelta64[D]")
    persons = p.drop(columns="leeftijd").assign(geboortedatum=born.astype("datetime64[ms]"))
    return hh, persons


def compare(source: Source, households: int) -> tuple[float, float]:
    """HMA against flat rows on the same small training households."""
    from sdv.multi_table import HMASynthesizer

    small = _subset(source, households)
    t0 = time.perf_counter()
    syn = fit(small, "gaussian_copula", "bench-small", seed=1)
    flat_fit = time.perf_counter() - t0
    holdout = small.households["household_id"].isin(syn.holdout)
    train_hh, train_p = _hma_tables(small, ~holdout)
    n_train = len(train_hh)
    rng = np.random.default_rng(5)
    t0 = time.perf_counter()
    ours_hh, ours_p = _draw(syn, n_train, rng, small.peildatum)
    flat_s = time.perf_counter() - t0

    hma = HMASynthesizer(_hma_metadata(train_hh, train_p))
    with sdv_quiet(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        hma.fit({"households": train_hh, "persons": train_p})
        hma_fit = time.perf_counter() - t0
        t0 = time.perf_counter()
        out = hma.sample_scale(scale=1.0)
        hma_s = time.perf_counter() - t0
    hma_hh, hma_p = _to_tables(out["households"], out["persons"], small.peildatum)
    real_hh, real_p = _to_tables(train_hh, train_p, small.peildatum)

    def levels(hh: pd.DataFrame, p: pd.DataFrame) -> tuple[float, float, int]:
        flat, _, left_out = flatten(hh, p, small.peildatum)
        day = small.peildatum
        whole = hh[hh["household_id"].isin(flat["household_id"])]
        view, real_view = (
            _plain(household_view(whole, p, day)),
            _plain(household_view(real_hh, real_p, day)),
        )
        hq = _quality(real_view, view[real_view.columns])["kwaliteit"]
        pq = _quality(person_view(real_p, day), person_view(p, day))["kwaliteit"]
        return hq, pq, left_out

    ours_q = levels(ours_hh, ours_p)
    hma_q = levels(hma_hh, hma_p)
    ours_rate, hma_rate = n_train / flat_s, len(hma_hh) / hma_s
    ratio = ours_rate / hma_rate
    print(f"\n2. Against SDV HMA on the same {n_train:,} training households", end=" ")
    print(f"({len(train_p):,} persons)")
    print(f"   {'':34}{'flat rows (ours)':>20}{'HMA':>16}")
    print(f"   {'fit':34}{flat_fit:>18.1f} s{hma_fit:>14.1f} s")
    print(f"   {'sample (households + persons)':34}{flat_s:>18.2f} s{hma_s:>14.2f} s")
    print(f"   {'households per second':34}{ours_rate:>20,.0f}{hma_rate:>16,.0f}")
    print(f"   {'quality, household level':34}{ours_q[0]:>20.3f}{hma_q[0]:>16.3f}")
    print(f"   {'quality, person level':34}{ours_q[1]:>20.3f}{hma_q[1]:>16.3f}")
    print(
        f"   {'households without 1 aanvrager':34}{ours_q[2]:>20,}{hma_q[2]:>16,}"
        "   (left out of HMA's household-level score)"
    )
    gap = max(hma_q[0] - ours_q[0], hma_q[1] - ours_q[1])
    print(
        f"   ratio {ratio:,.0f}x (goal >= {GOAL_RATIO:.0f}x: "
        f"{'met' if ratio >= GOAL_RATIO else 'NOT met'}); "
        f"quality at most {gap:+.3f} below HMA (goal <= {GOAL_QUALITY_GAP}: "
        f"{'met' if gap <= GOAL_QUALITY_GAP else 'NOT met'})"
    )
    return ratio, gap


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=100_000, help="reference size")
    parser.add_argument("--households", type=int, default=200_000, help="households to sample")
    parser.add_argument("--small", type=int, default=1000, help="source households for HMA")
    args = parser.parse_args()
    print(f"benchmarks/synth.py: reference of {args.persons:,} persons generated in memory")
    source = _source(args.persons, seed=20250101)
    scale(source, args.households)
    compare(source, args.small)


if __name__ == "__main__":
    main()
