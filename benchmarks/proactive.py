"""Benchmark the proactive simulation: the ground truth once, then every strategy on it.

Run ``.venv/bin/python benchmarks/proactive.py [--persons 100000,1000000] [--strategies a,b]``.
Per size it generates a population with the nl-default recipe (24 months), writes it as a
dataset into a temporary store, builds the ground truth once (`prepare`) and simulates and
scores each example strategy on it (`simulate` + `score`). Every line gives wall time, the time
relative to the reactive strategy's `simulate` in the same run (``× reactief``) and memory:

- ``RSS piek``: peak resident memory of the process during the step, sampled every 50 ms;
- ``Δ maxrss``: how far the step raised the process's lifetime peak (ru_maxrss);
- ``duckdb``: DuckDB's buffer memory (``duckdb_memory()``), outside tracemalloc; after the step
  for ``prepare`` (its connection is made inside it), the sampled peak for the strategies;
- ``py piek``: peak of the Python allocations made during the step (tracemalloc, numpy arrays
  included), from a second pass after all timed steps, since tracing slows pandas-heavy steps
  up to tenfold (``--no-tracemalloc`` skips it).

Strategies run in audit mode, so one that reads without legal basis (baanverlies-toeslagen)
does the same work as with its AMvB instead of stopping. Nothing is written into the repo;
timings are information, never asserted.
"""

# ruff: noqa: E402  (imports follow the bytecode switch below)
from __future__ import annotations

import sys

sys.dont_write_bytecode = True  # write nothing into the repo, not even sandbox/**/__pycache__

import argparse
import gc
import os
import resource
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

RECIPE = Path(__file__).resolve().parents[1] / "synthetic" / "recipes" / "nl-default.yaml"
BASELINE = "reactief"
MIB = 2**20


def _maxrss() -> int:
    """The process's lifetime peak resident memory in bytes (ru_maxrss)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # bytes on macOS, KiB on Linux


def _rss() -> int | None:
    """The process's current resident memory in bytes (Linux only)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return None


def _duckdb_bytes(con: duckdb.DuckDBPyConnection) -> int | None:
    try:
        return int(con.execute("SELECT sum(memory_usage_bytes) FROM duckdb_memory()").fetchone()[0])
    except duckdb.Error:  # duckdb_memory() appeared in DuckDB 0.10
        return None


class _Sampler:
    """Samples the process RSS (and DuckDB's memory, given a connection) in a thread."""

    def __init__(self, con: duckdb.DuckDBPyConnection | None = None, every: float = 0.05) -> None:
        self.con, self.every = con, every
        self.rss: int | None = None
        self.duckdb: int | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _take(self, cursor: duckdb.DuckDBPyConnection | None) -> None:
        rss = _rss()
        if rss is not None:
            self.rss = max(self.rss or 0, rss)
        if cursor is not None:
            used = _duckdb_bytes(cursor)
            if used is not None:
                self.duckdb = max(self.duckdb or 0, used)

    def _loop(self) -> None:
        # A cursor is a connection of its own to the same database: safe beside the main thread.
        cursor = self.con.cursor() if self.con is not None else None
        self._take(cursor)
        while not self._stop.wait(self.every):
            self._take(cursor)
        self._take(cursor)
        if cursor is not None:
            cursor.close()

    def __enter__(self) -> _Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


@dataclass
class Measure:
    """One timed step: seconds and memory in bytes (None where not measurable)."""

    seconds: float
    rss_peak: int | None
    maxrss_delta: int
    duckdb: int | None


def _measure(work: Callable[[], object], con: duckdb.DuckDBPyConnection | None = None):
    """Run ``work`` once, untraced; return its result and a `Measure`."""
    gc.collect()
    before = _maxrss()
    with _Sampler(con) as sampler:
        t0 = time.perf_counter()
        result = work()
        seconds = time.perf_counter() - t0
    return result, Measure(seconds, sampler.rss, _maxrss() - before, sampler.duckdb)


def _py_peak(work: Callable[[], object]) -> tuple[object, int]:
    """Run ``work`` again under tracemalloc; return its result and the peak of traced bytes.

    A separate pass: tracing slows pandas-heavy steps up to tenfold, so it never runs while
    the timed pass runs.
    """
    gc.collect()
    tracemalloc.start()
    try:
        result = work()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _mib(value: int | None) -> str:
    return "-" if value is None else f"{value / MIB:,.0f}"


HEADER = (
    f"{'stap':<30}{'seconden':>10}{'waarvan score':>15}{'× reactief':>12}{'RSS piek':>10}"
    f"{'Δ maxrss':>10}{'duckdb':>10}{'contacten':>11}"
)


def _line(label: str, m: Measure, baseline: float, score: str = "", contacts: str = "") -> str:
    return (
        f"{label:<30}{m.seconds:>10.2f}{score:>15}{m.seconds / baseline:>11.1f}×"
        f"{_mib(m.rss_peak):>10}{_mib(m.maxrss_delta):>10}{_mib(m.duckdb):>10}{contacts:>11}"
    )


def _dataset(persons: int) -> tuple[str, str]:
    """Generate nl-default at ``persons`` persons and write it into the temporary store."""
    from sandbox.dataset import write_dataset
    from sandbox.world import generate, load_recipe

    recipe = load_recipe(RECIPE, persons=persons)
    t0 = time.perf_counter()
    pop = generate(recipe)
    generated = time.perf_counter() - t0
    name = f"bench-{persons}"
    manifest = {"kind": "reference", "parent": None, "seed": recipe.seed,
                "period": {"van": recipe.period.van, "tot": recipe.period.tot}}  # fmt: skip
    tables = {"households": pop.households, "persons": pop.persons, "events": pop.events}
    write_dataset(name, tables, manifest)
    info = (
        f"{len(pop.persons):,} persons, {len(pop.households):,} households, "
        f"{len(pop.events):,} events, {recipe.period.van}..{recipe.period.tot} "
        f"({generated:.1f} s to generate, not counted)"
    )
    del pop, tables
    gc.collect()
    return name, info


def bench(persons: int, names: list[str], traced: bool) -> None:
    """Prepare once at ``persons`` persons, then simulate and score every strategy.

    ``names`` starts with the reactive baseline; lines are printed as each step finishes.
    """
    from sandbox.proactive import load_strategy, prepare, score, simulate
    from sandbox.rules import load_catalog

    name, info = _dataset(persons)
    print(f"\n=== {persons:,} persons: {info}", flush=True)
    strategies = [load_strategy(n) for n in names]
    regelingen = sorted({r for s in strategies for r in s.regelingen})
    load_catalog()  # warm the imports; prepare still loads (and validates) the catalog itself
    prepared, prep = _measure(lambda: prepare(name, regelingen))
    prep.duckdb = _duckdb_bytes(prepared.con)
    print(
        f"ground truth: {len(prepared.pairs):,} (unit, regeling) pairs × {len(prepared.months)} "
        f"months, {len(prepared.regelingen)} regelingen",
        flush=True,
    )

    def run(strategy):
        outcome = simulate(prepared, strategy, mode="audit")
        t0 = time.perf_counter()
        metrics, _, _ = score(outcome)
        return int(metrics["contacten"]), time.perf_counter() - t0

    timed = []
    for i, strategy in enumerate(strategies):
        (contacts, score_seconds), m = _measure(lambda s=strategy: run(s), prepared.con)
        timed.append(m)
        if i == 0:  # the reactive baseline: its simulate time is the unit of the ratio
            baseline = m.seconds - score_seconds
            print(
                f"strategy lines are simulate + score; unit of × reactief: simulate of "
                f"'{BASELINE}' = {baseline:.2f} s; memory in MiB"
            )
            print(HEADER)
            print(_line("prepare (1×, all regelingen)", prep, baseline))
        print(_line(strategy.id, m, baseline, f"{score_seconds:.2f}", f"{contacts:,}"), flush=True)
    total = prep.seconds + sum(m.seconds for m in timed)
    print(f"timed total {total:.1f} s; process peak RSS so far {_maxrss() / MIB:,.0f} MiB")
    if traced:  # a second pass under tracemalloc, after every timed step: Python peaks only
        print(f"{'second pass, tracemalloc':<30}{'py piek':>10}{'seconden (traced)':>20}")
        t0 = time.perf_counter()
        again, peak = _py_peak(lambda: prepare(name, regelingen))
        print(f"{'prepare':<30}{_mib(peak):>10}{time.perf_counter() - t0:>20.2f}", flush=True)
        again.con.close()
        for strategy in strategies:
            t0 = time.perf_counter()
            _, peak = _py_peak(lambda s=strategy: run(s))
            seconds = time.perf_counter() - t0
            print(f"{strategy.id:<30}{_mib(peak):>10}{seconds:>20.2f}", flush=True)
    prepared.con.close()


def main() -> None:
    """Parse arguments, run every size, print the tables."""
    from sandbox.proactive import list_strategies

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--persons", default="100000,1000000", help="comma-separated sizes (default: %(default)s)"
    )
    parser.add_argument(
        "--strategies",
        default=",".join(list_strategies()),
        help="comma-separated example strategies (default: all; 'reactief' always runs)",
    )
    parser.add_argument(
        "--no-tracemalloc",
        action="store_true",
        help="skip the traced second pass (halves the run time; 'py piek' shows '-')",
    )
    args = parser.parse_args()
    sizes = [int(p.replace("_", "")) for p in args.persons.split(",") if p.strip()]
    names = [s.strip() for s in args.strategies.split(",") if s.strip()]
    known = list_strategies()
    unknown = [n for n in names if n not in known]
    if unknown:
        parser.error(f"unknown strategy {unknown[0]!r}; known: {', '.join(known)}")
    names = [BASELINE] + [n for n in names if n != BASELINE]

    with tempfile.TemporaryDirectory(prefix="bench-proactief-") as tmp:
        os.environ["SANDBOX_DATASETS"] = str(Path(tmp) / "datasets")
        os.environ["SANDBOX_HOME"] = str(Path(tmp) / "home")
        os.chdir(tmp)  # DuckDB spills an in-memory database to ./.tmp: keep that out of the repo
        print(
            f"cores: {os.cpu_count()}, duckdb {duckdb.__version__}, strategies: "
            f"{', '.join(names)}, mode audit; py piek from a second pass under tracemalloc: "
            f"{'skipped' if args.no_tracemalloc else 'yes'}"
        )
        for persons in sizes:
            bench(persons, names, traced=not args.no_tracemalloc)
            gc.collect()


if __name__ == "__main__":
    main()
