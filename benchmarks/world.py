"""Benchmark the world generator: vectorised identities against Faker, and whole generation.

Run ``.venv/bin/python benchmarks/world.py [--persons 100000 1000000] [--identities 20000]``.
It prints a plain-text report and writes nothing. Timings are information, never asserted.
"""

# ruff: noqa: E402  (imports follow the bytecode switch below)
from __future__ import annotations

import sys

sys.dont_write_bytecode = True  # write nothing into the repo, not even sandbox/**/__pycache__

import argparse
import cProfile
import io
import multiprocessing
import os
import pstats
import resource
import statistics
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from sandbox.world import Recipe, generate
from sandbox.world.calibration import load_gemeenten
from sandbox.world.housing import draw_gemeenten
from sandbox.world.identity import addresses, faker_baseline, identities

# The target: 1M persons with 24 months of events in under a minute on 2 cores.
GOAL_PERSONS, GOAL_MONTHS, GOAL_SECONDS, GOAL_CORES = 1_000_000, 24, 60.0, 2
PERSONS_PER_HOUSEHOLD = 2.1  # the brief's household size for the address half
IDENTITY_BAR = 20.0  # vectorised must be at least this many times faster than Faker
SEED = 1
_LABELS = {"klaar": "klaar (_tidy before return)"}


def _rss_mib() -> float:
    """Peak resident set size of this process so far (ru_maxrss), in MiB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10  # bytes vs KiB


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --- 1. Identities --------------------------------------------------------------------------


def _vectorised(n: int, n_addresses: int) -> Callable[[], object]:
    """Return a closure that builds n identities and n_addresses addresses from a fresh rng."""
    gemeenten = load_gemeenten()
    namen = gemeenten["gemeente_naam"].to_numpy(object)

    def run() -> object:
        rng = np.random.default_rng(SEED)
        geslacht = rng.choice(np.array(["M", "V"]), size=n)
        people = identities(rng, geslacht)
        woonplaats = namen[draw_gemeenten(rng, gemeenten, n_addresses)]
        homes = pd.DataFrame(addresses(rng, woonplaats))
        return people, homes

    return run


def _best_of(run: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Return (best, first) wall time of ``repeat`` runs."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        run()
        times.append(time.perf_counter() - t0)
    return min(times), times[0]


def bench_identities(n: int) -> None:
    """Print vectorised identities + addresses against Faker, per person, for n persons."""
    n_hh = max(1, round(n / PERSONS_PER_HOUSEHOLD))
    print(f"1. IDENTITIES  (N = {n:,} persons, seed {SEED})")
    print("   faker        faker_baseline(N): 5 Faker calls per person -> voornaam, achternaam")
    print("                (tussenvoegsel inside it), straat, huisnummer, postcode; N addresses,")
    print("                no woonplaats, no uniqueness. 1 run, Faker('nl_NL') setup included.")
    print("   vec (hh)     draw geslacht + identities(N) -> voornaam, tussenvoegsel, achternaam;")
    print(f"                draw woonplaats + addresses(N / {PERSONS_PER_HOUSEHOLD} = {n_hh:,})")
    print("                -> straat, huisnummer, postcode, woonplaats, unique per woonplaats,")
    print("                as generate() does. Best of 3 (the first run fills the name caches).")
    print("   vec (N adr)  the same with N addresses: the same row count as the Faker path.")
    print()
    rows = []
    for label, n_adr in (("vec (hh)", n_hh), ("vec (N adr)", n)):
        best, first = _best_of(_vectorised(n, n_adr), repeat=3)
        rows.append((label, best, f"best of 3 (first run {first:.3f} s)"))
    t0 = time.perf_counter()
    faker_baseline(n, SEED)
    t_faker = time.perf_counter() - t0
    rows.append(("faker", t_faker, "1 run"))

    print(f"   {'path':<12} {'seconds':>9} {'persons/s':>12} {'us/person':>10}  timing")
    for label, seconds, how in rows:
        micro = seconds / n * 1e6
        print(f"   {label:<12} {seconds:>9.3f} {n / seconds:>12,.0f} {micro:>10.2f}  {how}")
    print()
    for label, seconds, _ in rows[:2]:
        ratio = t_faker / seconds
        verdict = "meets" if ratio >= IDENTITY_BAR else "BELOW"
        print(
            f"   ratio {label:<12} / faker: {ratio:7.1f}x  ({verdict} the bar of"
            f" >= {IDENTITY_BAR:.0f}x)"
        )
    print()


# --- 2. Whole generation --------------------------------------------------------------------


def _timed_generate(n: int) -> dict[str, object]:
    """Generate n persons with the default period; return timings, sizes and peak RSS.

    Runs in a fresh spawned interpreter, so ``ru_maxrss`` is this generation's own peak.
    """
    recipe = Recipe(name="bench", persons=n, seed=SEED)
    calls: list[tuple[str, int, int, float]] = []

    def progress(step: str, done: int, total: int) -> None:
        calls.append((step, done, total, time.perf_counter()))

    rss_before, cpu0 = _rss_mib(), _cpu_seconds()
    t0 = time.perf_counter()
    pop = generate(recipe, progress)
    t1 = time.perf_counter()
    cpu = _cpu_seconds() - cpu0

    # A step lasts from its first callback to the next step's first callback. The tail of
    # "gebeurtenissen" after its last month (World.frames(), overlijdensdatum) gets a row of
    # its own; "klaar" is reported before the final _tidy() of the three frames.
    steps: list[tuple[str, float]] = [("start (rng, calibration)", calls[0][3] - t0)]
    firsts = [i for i, c in enumerate(calls) if i == 0 or c[0] != calls[i - 1][0]]
    for a, b in zip(firsts, firsts[1:] + [len(calls)], strict=True):
        step, _, _, start = calls[a]
        end = calls[b][3] if b < len(calls) else t1
        if step == "gebeurtenissen":
            last = calls[b - 1][3]
            steps.append(("gebeurtenissen (months)", last - start))
            steps.append(("after months (frames, deaths)", end - last))
        else:
            steps.append((_LABELS.get(step, step), end - start))
    month_ticks = [c[3] for c in calls if c[0] == "gebeurtenissen"]
    return {
        "n": n,
        "months": len(month_ticks) - 1,
        "wall": t1 - t0,
        "cpu": cpu,
        "steps": steps,
        "month_times": np.diff(month_ticks).tolist(),
        "persons_end": len(pop.persons),
        "households_end": len(pop.households),
        "events": len(pop.events),
        "rss_before": rss_before,
        "rss_peak": _rss_mib(),
    }


def _profiled_generate(n: int, top: int) -> str:
    """Generate n persons under cProfile; return the top functions by cumulative time."""
    recipe = Recipe(name="bench", persons=n, seed=SEED)
    profiler = cProfile.Profile()
    profiler.runcall(generate, recipe)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def _in_fresh_process(func: Callable[..., object], *args: object) -> object:
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(func, args)


def bench_generation(sizes: list[int]) -> None:
    """Print wall time, throughput, events, peak RSS and a step breakdown per size."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"2. WHOLE GENERATION  generate(Recipe(name='bench', persons=N, seed={SEED}))")
    print("   default period 2025-01..2026-12; each size in a fresh spawned interpreter;")
    print(f"   1 run per size; {cores} usable cores on this machine.")
    print("   peak RSS = resource.getrusage(RUSAGE_SELF).ru_maxrss of that interpreter")
    print("   (includes the imports; 'before' is the peak just before generate() starts).")
    print("   cpu/wall = (user + sys CPU seconds) / wall seconds; above 1 means threads helped.")
    print()
    results = [_in_fresh_process(_timed_generate, n) for n in sizes]

    head = f"   {'N':>10} {'wall s':>8} {'persons/s':>10} {'N x 24 mo/s':>12} {'events':>10}"
    print(head + f" {'events/s':>10} {'RSS peak':>9} {'before':>7} {'cpu/wall':>8}")
    for r in results:
        wall, n = r["wall"], r["n"]
        per_24 = n * r["months"] / GOAL_MONTHS / wall
        print(
            f"   {n:>10,} {wall:>8.2f} {n / wall:>10,.0f} {per_24:>12,.0f} {r['events']:>10,}"
            f" {r['events'] / wall:>10,.0f} {r['rss_peak']:>5,.0f} MiB {r['rss_before']:>3,.0f} MiB"
            f" {r['cpu'] / wall:>8.2f}"
        )
    print("   (N x 24 mo/s = persons-with-24-months-of-events per second; with the default")
    print("   24-month period it equals persons/s.)")
    print()

    print("   Per-step wall time (seconds, share of wall), from the progress callback:")
    print(f"   {'step':<30}" + "".join(f" {r['n']:>16,}" for r in results))
    for i, (name, _) in enumerate(results[0]["steps"]):
        cells = "".join(
            f" {r['steps'][i][1]:>9.2f} ({r['steps'][i][1] / r['wall']:>4.0%})" for r in results
        )
        print(f"   {name:<30}{cells}")
    print(f"   {'total':<30}" + "".join(f" {r['wall']:>9.2f} (100%)" for r in results))
    print(
        f"   {'one month: min/median/max':<30}"
        + "".join(
            f" {min(m):.2f}/{statistics.median(m):.2f}/{max(m):.2f}".rjust(17)
            for m in (r["month_times"] for r in results)
        )
    )
    print()

    print("   Sizes at the end of the period:")
    for r in results:
        print(
            f"   N = {r['n']:>9,}: {r['persons_end']:,} persons (incl. births),"
            f" {r['households_end']:,} households, {r['events'] / r['n']:.2f} events per person"
        )
    print()

    base = results[0]
    for r in results[1:]:
        ratio = (r["n"] / r["wall"]) / (base["n"] / base["wall"])
        print(
            f"   scaling: persons/s at {r['n']:,} / persons/s at {base['n']:,} = {ratio:.2f}"
            " (1.00: linear; below 1: slower per person at scale)"
        )
    print()

    goal = f"{GOAL_PERSONS:,} persons x {GOAL_MONTHS} months in < {GOAL_SECONDS:.0f} s"
    goal += f" on {GOAL_CORES} cores"
    at_goal = [r for r in results if r["n"] == GOAL_PERSONS and r["months"] == GOAL_MONTHS]
    if at_goal:
        wall = at_goal[0]["wall"]
        verdict = "within" if wall < GOAL_SECONDS else "OVER"
        print(f"   goal: {goal}")
        print(
            f"   measured: {wall:.1f} s on {cores} cores = {wall / GOAL_SECONDS:.2f}x the budget"
            f" ({verdict} the goal; information only, not asserted)"
        )
    else:
        big = results[-1]
        guess = big["wall"] * GOAL_PERSONS / big["n"] * GOAL_MONTHS / big["months"]
        print(f"   goal: {goal}; not measured at that size.")
        print(f"   linear guess from N = {big['n']:,}: {guess:.1f} s (information only)")
    print()


def main(argv: list[str] | None = None) -> None:
    """Parse the arguments and run both benchmarks, or only the profile."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--persons",
        type=int,
        nargs="+",
        default=[100_000, 1_000_000],
        help="population sizes for the whole-generation benchmark (default: 100000 1000000)",
    )
    parser.add_argument(
        "--identities",
        type=int,
        default=20_000,
        help="persons for the identities benchmark (default: 20000; Faker takes ~40 us each)",
    )
    parser.add_argument(
        "--profile",
        type=int,
        metavar="TOP",
        default=0,
        help="instead of the benchmarks, print a cProfile of generating the largest --persons "
        "size, top TOP functions by cumulative time",
    )
    args = parser.parse_args(argv)
    if min(args.persons + [args.identities]) < 1:
        parser.error("--persons and --identities must be positive")
    sizes = sorted(args.persons)

    print(f"benchmarks/world.py  python {sys.version.split()[0]}, numpy {np.__version__},")
    print(f"pandas {pd.__version__}, {time.strftime('%Y-%m-%d %H:%M')}")
    print()
    if args.profile:
        print(f"cProfile of generate() at N = {sizes[-1]:,}, top {args.profile} by cumulative:")
        print(_in_fresh_process(_profiled_generate, sizes[-1], args.profile))
        return
    bench_identities(args.identities)
    bench_generation(sizes)


if __name__ == "__main__":
    main()
