"""Generate a reference population from a recipe: households, persons and life events.

The steps run in a fixed order on one seeded random generator, so the same recipe and seed
give the same tables, byte for byte.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sandbox.dataset import tidy_frame
from sandbox.errors import RecipeError
from sandbox.world.calibration import load_calibration, load_gemeenten
from sandbox.world.events import World, simulate_events
from sandbox.world.households import HOUSEHOLD_TYPES, ROLLEN, draw_structures
from sandbox.world.housing import assign_housing, draw_gemeenten
from sandbox.world.identity import BsnAllocator, addresses, first_names, surnames
from sandbox.world.persons import assign_persons
from sandbox.world.recipe import Recipe

__all__ = ["Population", "check_memory", "generate", "month_bounds"]

Progress = Callable[[str, int, int], None]


@dataclass
class Population:
    """The three tables of a population dataset and what the manifest needs to know."""

    households: pd.DataFrame
    persons: pd.DataFrame
    events: pd.DataFrame
    bsn: dict[str, int | str]


def month_bounds(first: str, last: str) -> list[tuple[int, int]]:
    """Return (first day, first day of the next month) per month, as days since 1970-01-01.

    Example:
        >>> month_bounds("2025-01", "2025-02")
        [(20089, 20120), (20120, 20148)]
    """
    months = np.arange(np.datetime64(first, "M"), np.datetime64(last, "M") + 1)
    days = months.astype("datetime64[D]").astype(np.int64)
    ends = (months + 1).astype("datetime64[D]").astype(np.int64)
    return list(zip(days.tolist(), ends.tolist(), strict=True))


# Peak memory per person of a whole generation, measured with benchmarks/world.py at 1M
# persons (1,637 MiB), with headroom for the Parquet write.
_BYTES_PER_PERSON = 2_000


def check_memory(persons: int) -> None:
    """Refuse a population that cannot fit in this machine's memory, before any work.

    Raises:
        RecipeError: the estimated peak exceeds the machine's physical memory.
    """
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - not on Linux
        return
    need = persons * _BYTES_PER_PERSON
    if need > total:
        raise RecipeError(
            f"{persons:,} persons need about {need / 2**30:.0f} GiB of memory and this machine "
            f"has {total / 2**30:.0f} GiB; lower --persons (national-scale generation "
            "partitioned by gemeente is not built yet)"
        )


def _noop(step: str, done: int, total: int) -> None:
    return None


def generate(recipe: Recipe, progress: Progress | None = None) -> Population:
    """Generate the reference population that ``recipe`` describes.

    Args:
        recipe: the validated recipe (size, seed, period, gemeenten).
        progress: optional callback ``(step, done, total)`` for a progress display.

    Returns:
        Households, persons and events, with the BSN summary for the manifest.
    """
    report = progress or _noop
    check_memory(recipe.persons)
    rng = np.random.default_rng(recipe.seed)
    cal = load_calibration()
    gemeenten = load_gemeenten()
    if recipe.gemeenten:
        unknown = sorted(set(recipe.gemeenten) - set(gemeenten["gemeente_code"]))
        if unknown:
            raise RecipeError(
                f"recipe '{recipe.name}': unknown gemeente codes {', '.join(unknown)}; "
                "use CBS codes of 2025 such as GM0363 (Amsterdam)"
            )
        gemeenten = gemeenten[gemeenten["gemeente_code"].isin(recipe.gemeenten)].copy()
        gemeenten["gewicht"] = gemeenten["inwoners"] / gemeenten["inwoners"].sum()
        gemeenten = gemeenten.reset_index(drop=True)
    steps = 5
    report("huishoudens", 0, steps)
    s = draw_structures(rng, recipe.persons, cal)
    start_day = np.datetime64(recipe.period.van, "M").astype("datetime64[D]")
    # Everyone present at the start was born before it (births in the period are events).
    # Ages are then taken from the birth dates, so every rule sees the age the tables show.
    days_old = np.maximum(np.floor(s.age * 365.2425), 1).astype(np.int64)
    birth = start_day - days_old.astype("timedelta64[D]")
    s.age = days_old / 365.2425
    report("personen", 1, steps)
    attrs = assign_persons(rng, s, cal)
    n_hh, n = len(s.hh_size), len(s.age)

    report("identiteiten", 2, steps)
    bsn = BsnAllocator(recipe.seed)
    geslacht = attrs["geslacht"].to_numpy()
    voornaam = first_names(rng, geslacht)
    tussen, achter = surnames(rng, n)
    # Children carry the surname of the household's aanvrager (the first member).
    first = np.flatnonzero(np.r_[True, s.person_hh[1:] != s.person_hh[:-1]])
    kids = s.rol == ROLLEN.index("kind")
    tussen[kids] = tussen[first][s.person_hh[kids]]
    achter[kids] = achter[first][s.person_hh[kids]]
    persons = pd.DataFrame(
        {
            "person_id": np.arange(n, dtype=np.int64),
            "household_id": s.person_hh.astype(np.int64),
            "bsn": bsn.take(n),
            "voornaam": voornaam,
            "tussenvoegsel": tussen,
            "achternaam": achter,
            "geboortedatum": birth,
            "geslacht": geslacht,
            "rol": np.asarray(ROLLEN, dtype=object)[s.rol],
        }
    )
    persons = pd.concat([persons, attrs.drop(columns=["geslacht"])], axis=1)
    persons.loc[s.age < 18, "zorgverzekerd"] = True  # children are insured via a parent

    report("wonen", 3, steps)
    gem = draw_gemeenten(rng, gemeenten, n_hh)
    gem_rows = gemeenten.iloc[gem]
    adr = addresses(rng, gem_rows["gemeente_naam"].to_numpy(object))
    housing = assign_housing(rng, s, persons, cal)
    households = pd.DataFrame(
        {
            "household_id": np.arange(n_hh, dtype=np.int64),
            "huishoudtype": np.asarray(HOUSEHOLD_TYPES, dtype=object)[s.hh_type],
            "gemeente_code": gem_rows["gemeente_code"].to_numpy(object),
            **adr,
        }
    )
    households = pd.concat([households, housing], axis=1)
    households["ontstaan"] = pd.Series(pd.NaT, index=households.index, dtype="datetime64[ms]")
    households["ontstaan_door"] = pd.Series(None, index=households.index, dtype="string")

    report("gebeurtenissen", 4, steps)
    world = World(persons, households, gemeenten, bsn)
    months = month_bounds(recipe.period.van, recipe.period.tot)
    events = simulate_events(
        world, cal, rng, months, lambda d, t: report("gebeurtenissen", 4 * t + d, 5 * t)
    )
    persons, households = world.frames()
    died = events[events["soort"] == "overlijden"]
    persons["overlijdensdatum"] = pd.Series(pd.NaT, index=persons.index, dtype="datetime64[ms]")
    persons.loc[died["person_id"].to_numpy(), "overlijdensdatum"] = died["datum"].to_numpy()
    report("klaar", steps, steps)
    return Population(
        households=tidy_frame(households),
        persons=tidy_frame(persons),
        events=events,
        bsn=bsn.summary(),
    )
