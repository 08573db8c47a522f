"""Sample a synthetic population: flat rows, members, fresh identities, life events, guard.

The synthesizer gives household rows and member attributes; identities and addresses are drawn
fresh with the world's identity code (BSNs never one of the source's), the population lives
through the source's period with the reference's event model, and the release guard compares
the result with the source before anything is written.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sandbox.dataset import ensure_absent, tidy_frame, write_dataset
from sandbox.errors import SynthError
from sandbox.synth.constraints import count_violations
from sandbox.synth.flat import (
    DAYS_PER_YEAR,
    PERSON_ATTRIBUTES,
    all_columns,
    expand,
    member_slots,
)
from sandbox.synth.guard import GuardFindings, check_release, enforce
from sandbox.synth.model import Synthesizer
from sandbox.synth.source import Source, read_source
from sandbox.synth.store import load
from sandbox.world.calibration import load_calibration, load_gemeenten
from sandbox.world.events import World, simulate_events
from sandbox.world.generate import month_bounds
from sandbox.world.identity import BsnAllocator, addresses, first_names, surnames

__all__ = [
    "SampleResult",
    "sample_population",
    "sample_dataset",
    "release",
    "source_of",
    "source_everyone",
]

Progress = Callable[[str, int, int], None]
# The reference's column order: identity, then geslacht and rol, then the other attributes.
_PERSON_ORDER = (
    "person_id",
    "household_id",
    "bsn",
    "voornaam",
    "tussenvoegsel",
    "achternaam",
    "geboortedatum",
    "geslacht",
    "rol",
    *(a for a in PERSON_ATTRIBUTES if a != "geslacht"),
)


class _FreshBsn:
    """A BSN allocator that skips every number the source uses."""

    def __init__(self, seed: int, taken: set[str]) -> None:
        self._inner = BsnAllocator(seed)
        self._taken = np.array(sorted(taken), dtype="U9")
        self.skipped = 0

    def take(self, n: int) -> np.ndarray:
        out: list[np.ndarray] = []
        need = n
        while need > 0:
            chunk = self._inner.take(need)
            keep = ~np.isin(chunk, self._taken)
            self.skipped += int((~keep).sum())
            out.append(chunk[keep])
            need -= int(keep.sum())
        return np.concatenate(out) if out else np.zeros(0, dtype="U9")

    def summary(self) -> dict:
        info = self._inner.summary()
        info["overgeslagen_bron"] = self.skipped
        return info


@dataclass
class SampleResult:
    """A sampled population and what the guard and the rules found."""

    households: pd.DataFrame
    persons: pd.DataFrame
    events: pd.DataFrame
    peildatum: pd.Timestamp
    guard: GuardFindings
    violations: dict[str, int]
    bsn: dict
    seconds: dict[str, float]


def source_of(syn: Synthesizer) -> Source:
    """Read the source the synthesizer was fitted on again (the guard needs it).

    Raises:
        SynthError: the source is gone.
    """
    bron = syn.info["bron"]
    target = bron["pad"] if bron["soort"] == "extract" else bron["naam"]
    try:
        return read_source(target, bron["peildatum"] if bron["soort"] == "extract" else None)
    except SynthError:
        raise
    except Exception as exc:  # noqa: BLE001 - a vanished or changed source
        raise SynthError(
            f"synthesizer '{syn.name}': its source '{target}' cannot be read ({exc}); the "
            "release guard needs it"
        ) from None


def _identities(
    households: pd.DataFrame, persons: pd.DataFrame, rng: np.random.Generator, bsn: _FreshBsn
) -> tuple[pd.DataFrame, pd.DataFrame]:
    gemeenten = load_gemeenten().set_index("gemeente_code")
    names = gemeenten["gemeente_naam"].reindex(households["gemeente_code"]).to_numpy(object)
    adr = addresses(rng, names)
    households = households.assign(**adr)
    cols = ["household_id", "huishoudtype", "gemeente_code", "straat", "huisnummer", "postcode"]
    households = households[
        cols + ["woonplaats", "woonsituatie", "kale_huur", "servicekosten", "woz_waarde"]
    ]
    n = len(persons)
    geslacht = persons["geslacht"].to_numpy(object)
    tussen, achter = surnames(rng, n)
    hh = persons["household_id"].to_numpy(np.int64)
    first = np.flatnonzero(np.r_[True, hh[1:] != hh[:-1]])
    head_of = np.repeat(first, np.diff(np.r_[first, n]))
    kids = (persons["rol"] == "kind").to_numpy()
    tussen[kids] = tussen[head_of[kids]]  # children carry the aanvrager's surname
    achter[kids] = achter[head_of[kids]]
    persons = persons.assign(
        person_id=np.arange(n, dtype=np.int64),
        bsn=bsn.take(n),
        voornaam=first_names(rng, geslacht),
        tussenvoegsel=tussen,
        achternaam=achter,
    )
    herkomst = persons["herkomst"].to_numpy(object)
    herkomst[kids] = herkomst[head_of[kids]]  # CBS herkomst of a child follows a parent
    abroad = persons["geboren_buitenland"].astype(bool).to_numpy() & (herkomst != "NL")
    minor = (persons["geboortedatum"] > _minus_years(persons, 18)).to_numpy()
    insured = persons["zorgverzekerd"].astype(bool).to_numpy() | minor  # via a parent
    persons = persons.assign(herkomst=herkomst, geboren_buitenland=abroad, zorgverzekerd=insured)
    persons = persons.astype(
        {
            "bijbaan": bool,
            "inkomen": float,
            "vermogen": float,
            "aow_opbouwjaren": np.int16,
        }
    )
    return households, persons[list(_PERSON_ORDER)]


def _minus_years(persons: pd.DataFrame, years: float) -> pd.Timestamp:
    return persons.attrs["peildatum"] - pd.Timedelta(days=int(years * DAYS_PER_YEAR))


def _draw(syn: Synthesizer, n: int, rng: np.random.Generator, day: pd.Timestamp):
    """Flat rows expanded to households and persons, all of which keep the rules."""
    flat = syn.sample_flat(n, rng)
    flat = flat.reindex(columns=[*all_columns(), "huishoudtype", "woonsituatie"])
    slots = member_slots(flat, rng)
    members = {rol: syn.sample_members(frame, rng) for rol, frame in slots.items() if len(frame)}
    return expand(flat, members, day, rng)


def sample_population(
    syn: Synthesizer,
    households: int,
    seed: int,
    *,
    source: Source | None = None,
    progress: Progress | None = None,
) -> SampleResult:
    """Sample ``households`` households, give them identities and events, and run the guard.

    Args:
        syn: the fitted synthesizer.
        households: how many households to sample.
        seed: seed for everything drawn here.
        source: the synthesizer's source (read again when None).
        progress: callback ``(step, done, total)``.

    Returns:
        The tables, the guard's findings and the rule violations (0 when all rules hold).

    Raises:
        SynthError: ``households`` is not positive, or the source is gone.
    """
    if households < 1:
        raise SynthError(f"--households must be at least 1, got {households}")
    report = progress or (lambda step, done, total: None)
    rng = np.random.default_rng(seed)
    source = source or source_of(syn)
    day = source.peildatum
    seconds = {}
    started = time.perf_counter()
    report("huishoudens", 0, 4)
    hh, persons = _draw(syn, households, rng, day)
    seconds["huishoudens"] = time.perf_counter() - started
    report("identiteiten", 1, 4)
    persons.attrs["peildatum"] = day
    everyone = source_everyone(source)
    bsn = _FreshBsn(seed, set(everyone[1]["bsn"].astype(str)))
    hh, persons = _identities(hh, persons, rng, bsn)
    persons.attrs = {}
    seconds["identiteiten"] = time.perf_counter() - started - seconds["huishoudens"]
    violations = count_violations(hh, persons, day)
    start_households, start_persons = tidy_frame(hh), tidy_frame(persons)
    report("gebeurtenissen", 2, 4)
    t0 = time.perf_counter()
    hh = hh.assign(
        ontstaan=pd.Series(pd.NaT, index=hh.index, dtype="datetime64[ms]"),
        ontstaan_door=pd.Series(None, index=hh.index, dtype="string"),
    )
    gemeenten = load_gemeenten()
    world = World(persons, hh, gemeenten, bsn)
    period = syn.info["bron"]["periode"]
    months = month_bounds(period["van"], period["tot"])
    events = simulate_events(
        world,
        load_calibration(),
        rng,
        months,
        lambda d, t: report("gebeurtenissen", 2 * t + d, 4 * t),
    )
    persons, hh = world.frames()
    died = events[events["soort"] == "overlijden"]
    persons["overlijdensdatum"] = pd.Series(pd.NaT, index=persons.index, dtype="datetime64[ms]")
    persons.loc[died["person_id"].to_numpy(), "overlijdensdatum"] = died["datum"].to_numpy()
    seconds["gebeurtenissen"] = time.perf_counter() - t0
    report("toets", 3, 4)
    t0 = time.perf_counter()
    guard = check_release(
        (start_households, start_persons), (source.households, source.persons), everyone
    )
    seconds["toets"] = time.perf_counter() - t0
    report("klaar", 4, 4)
    return SampleResult(
        households=tidy_frame(hh),
        persons=tidy_frame(persons),
        events=events,
        peildatum=day,
        guard=guard,
        violations=violations,
        bsn=bsn.summary(),
        seconds={k: round(v, 2) for k, v in seconds.items()},
    )


def source_everyone(source: Source) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every household and person of the source, also those born or formed in the period."""
    if source.kind != "dataset":
        return source.households, source.persons
    from sandbox.dataset import load_dataset

    data = load_dataset(source.name, verify=False)
    return data.households, data.persons


def sample_dataset(
    name: str,
    households: int,
    seed: int,
    out: str,
    *,
    overwrite: bool = False,
    progress: Progress | None = None,
) -> tuple[Path, SampleResult]:
    """Sample from a saved synthesizer and write a dataset of kind ``synthetic``.

    The release guard runs before anything is written; a release it refuses leaves nothing on
    disk.

    Args:
        name: the synthesizer's name.
        households: how many households to sample.
        seed: the sample's seed.
        out: the name of the dataset to write.
        overwrite: replace an existing dataset of that name.
        progress: callback ``(step, done, total)``.

    Returns:
        The dataset folder and the sample.

    Raises:
        SynthError: unknown synthesizer, or its source is gone.
        ReleaseBlockedError: the guard found a copied household or a recurring identity.
        DatasetExistsError: ``out`` exists and ``overwrite`` is false.
    """
    ensure_absent(out, overwrite)
    syn = load(name)
    result = sample_population(syn, households, seed, progress=progress)
    return release(out, result, syn, seed, overwrite=overwrite), result


def release(
    out: str, result: SampleResult, syn: Synthesizer, seed: int, *, overwrite: bool = False
) -> Path:
    """Write a sampled population as a dataset of kind ``synthetic``, if the guard allows it.

    Args:
        out: the dataset name.
        result: the sampled population with the guard's findings.
        syn: the synthesizer it came from (named in the manifest).
        seed: the sample's seed.
        overwrite: replace an existing dataset of that name.

    Returns:
        The dataset folder.

    Raises:
        ReleaseBlockedError: the guard found a copied household or a recurring identity;
            nothing is written.
    """
    enforce(result.guard, out)
    bron = syn.info["bron"]
    manifest = {
        "kind": "synthetic",
        "parent": bron["naam"] if bron["soort"] == "dataset" else bron["pad"],
        "synthesizer": {"name": syn.name, "model": syn.info["model"], "seed": syn.info["seed"]},
        "seed": seed,
        "period": bron["periode"],
        "peildatum": bron["peildatum"],
        "bsn": result.bsn,
        "release_guard": result.guard.to_dict(),
        "constraint_violations": result.violations,
    }
    tables = {"households": result.households, "persons": result.persons, "events": result.events}
    return write_dataset(out, tables, manifest, overwrite=overwrite)
