"""Household structures: who lives together, with which ages, sexes and roles.

Candidates are drawn per CBS household type with plausible ages (partner age gaps, mothers'
ages at birth, adult children leaving home); raking then picks weights so that persons by
household position, age bands and children per family match CBS, and households are drawn
by those weights.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sandbox.world.calibration import Calibration
from sandbox.world.raking import rake, share_constraint

__all__ = ["AGE_BANDS", "HOUSEHOLD_TYPES", "Structure", "draw_structures", "knots"]

# CBS household types (StatLine 37620 / 71487ned).
HOUSEHOLD_TYPES = ("alleenstaand", "paar", "paar_kinderen", "eenouder", "overig")
ALLEEN, PAAR, PAAR_K, EENOUDER, OVERIG = range(5)
# Position in the household as CBS counts it, per (type, rol).
POSITIONS = (
    "alleenwonend",
    "partner_zonder_kinderen",
    "partner_met_kinderen",
    "ouder_eenoudergezin",
    "thuiswonend_kind",
    "overig_lid",
)
ROLLEN = ("aanvrager", "partner", "kind", "overig")
AANVRAGER, PARTNER, KIND, OVERIG_ROL = range(4)
AGE_BANDS = {"0-19": (0, 20), "20-64": (20, 65), "65-79": (65, 80), "80+": (80, 120)}

# Age densities per role as piecewise-linear knots (age: relative density). These shapes are
# assumptions; raking fixes the levels of the CBS age bands and positions on top of them.
_AGE_ALLEEN = {
    18: 0.1,
    21: 0.8,
    26: 1.5,
    35: 1.0,
    50: 0.9,
    65: 1.0,
    75: 1.3,
    86: 1.4,
    95: 0.3,
    103: 0,
}
_AGE_PAAR = {19: 0, 23: 0.5, 29: 1.0, 38: 0.4, 50: 0.6, 60: 1.3, 70: 1.4, 80: 0.8, 90: 0.15, 99: 0}
_AGE_MOEDER = {18: 0, 24: 0.3, 32: 1.2, 42: 1.4, 50: 1.1, 58: 0.5, 66: 0.1, 72: 0}
_AGE_EENOUDER = {19: 0, 26: 0.3, 36: 1.0, 45: 1.4, 53: 1.1, 62: 0.4, 75: 0.1, 85: 0}
_AGE_OVERIG = {18: 0.4, 21: 1.5, 27: 1.2, 35: 0.5, 50: 0.3, 70: 0.3, 90: 0}
# Probability that a child of this age still lives with its parents (assumption).
_AT_HOME = {0: 1.0, 17.99: 1.0, 18: 0.97, 21: 0.8, 24: 0.5, 27: 0.22, 30: 0.09, 35: 0.03, 45: 0.0}


def position_codes(hh_type: np.ndarray, rol: np.ndarray) -> np.ndarray:
    """CBS household position (index into POSITIONS) per person from type and rol codes."""
    pos = np.full(len(hh_type), POSITIONS.index("overig_lid"), dtype=np.int8)
    pos[hh_type == ALLEEN] = 0
    pos[hh_type == PAAR] = 1
    pos[(hh_type == PAAR_K) & (rol != KIND)] = 2
    pos[(hh_type == EENOUDER) & (rol == AANVRAGER)] = 3
    pos[rol == KIND] = 4
    return pos


@dataclass
class Structure:
    """Households and their members as flat arrays; ``person_hh`` indexes the households."""

    hh_type: np.ndarray  # int8 index into HOUSEHOLD_TYPES
    hh_size: np.ndarray  # int16
    person_hh: np.ndarray  # int64, sorted
    age: np.ndarray  # float years at the period start
    man: np.ndarray  # bool
    rol: np.ndarray  # int8 index into ROLLEN

    @property
    def position(self) -> np.ndarray:
        """CBS household position per person, as an index into POSITIONS."""
        return position_codes(self.hh_type[self.person_hh], self.rol)

    def take(self, households: np.ndarray) -> Structure:
        """Return the structure of the given households (repeats allowed), renumbered 0..n-1."""
        starts = np.zeros(len(self.hh_size) + 1, dtype=np.int64)
        np.cumsum(self.hh_size, out=starts[1:])
        sizes = self.hh_size[households].astype(np.int64)
        new_hh = np.repeat(np.arange(len(households)), sizes)
        first = np.repeat(starts[households], sizes)
        within = np.arange(sizes.sum()) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        idx = first + within
        return Structure(
            self.hh_type[households],
            self.hh_size[households],
            new_hh,
            self.age[idx],
            self.man[idx],
            self.rol[idx],
        )


def knots(x: np.ndarray, table: dict[float, float]) -> np.ndarray:
    """Piecewise-linear shape by knots (``{age: value}``), flat beyond the ends."""
    return np.interp(x, list(table), list(table.values()))


def _sample_knots(rng: np.random.Generator, knots: dict[float, float], n: int) -> np.ndarray:
    xs = np.array(list(knots), dtype=float)
    ys = np.array(list(knots.values()), dtype=float)
    grid = np.linspace(xs[0], xs[-1], int((xs[-1] - xs[0]) * 50) + 1)
    dens = np.interp(grid, xs, ys)
    cdf = np.concatenate([[0.0], np.cumsum((dens[1:] + dens[:-1]) / 2)])
    return np.interp(rng.random(n) * cdf[-1], cdf, grid)


def _children(
    rng: np.random.Generator, parent_age: np.ndarray, count_probs: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Draw children still at home for each parent; return (parent index, child age)."""
    n = len(parent_age)
    counts = rng.choice(np.arange(1, 6), size=n, p=count_probs)
    first_birth = np.clip(rng.normal(30.0, 4.5, n), 17.0, 44.0)  # mother's age at first child
    owner = np.repeat(np.arange(n), counts)
    order = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    gaps = 1.0 + rng.gamma(2.0, 1.0, len(owner))  # years between siblings
    gaps[order == 0] = 0.0
    spacing = np.cumsum(gaps) - np.repeat(np.cumsum(gaps)[np.cumsum(counts) - counts], counts)
    age_at_birth = first_birth[owner] + spacing
    age = parent_age[owner] - age_at_birth
    ok = (age >= 0) & (age_at_birth <= 47)
    stays = rng.random(len(owner)) < np.interp(age, list(_AT_HOME), list(_AT_HOME.values()))
    keep = ok & stays
    return owner[keep], age[keep]


def _candidates(rng: np.random.Generator, n: int) -> Structure:
    # Start mix of household types; raking corrects it (CBS 37620, derived household shares).
    hh_type = rng.choice(5, size=n, p=[0.38, 0.27, 0.26, 0.08, 0.01]).astype(np.int8)
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []  # hh, age, man, rol

    def add(hh: np.ndarray, age: np.ndarray, man: np.ndarray, rol: int) -> None:
        parts.append((hh, age, man, np.full(len(hh), rol, dtype=np.int8)))

    idx = np.flatnonzero(hh_type == ALLEEN)
    age = _sample_knots(rng, _AGE_ALLEEN, len(idx))
    # Older people living alone are mostly widows (women live longer): assumption.
    add(idx, age, rng.random(len(idx)) < np.where(age > 70, 0.33, 0.52), AANVRAGER)

    idx = np.flatnonzero(hh_type == PAAR)
    age = _sample_knots(rng, _AGE_PAAR, len(idx))
    man = rng.random(len(idx)) < 0.5
    same_sex = rng.random(len(idx)) < 0.024  # CBS 37772ned: 1,714 of 70,608 marriages in 2022
    # Men are ~2.5 years older (assumption); gaps beyond 15 years are cut off.
    gap = np.clip(rng.normal(2.5, 3.5, len(idx)), -15, 15) * np.where(man, -1, 1)
    add(idx, age, man, AANVRAGER)
    add(idx, np.clip(age + gap, 18, 105), np.where(same_sex, man, ~man), PARTNER)

    idx = np.flatnonzero(hh_type == PAAR_K)
    mother = _sample_knots(rng, _AGE_MOEDER, len(idx))
    owner, kid_age = _children(rng, mother, np.array([0.38, 0.40, 0.16, 0.045, 0.015]))
    oldest = np.zeros(len(idx))
    np.maximum.at(oldest, owner, kid_age)
    # The father is a parent too: at least 17 years older than the oldest child.
    father = np.clip(mother + np.clip(rng.normal(2.5, 3.5, len(idx)), -15, 15), 18, 90)
    father = np.maximum(father, oldest + 17 + rng.uniform(0, 3, len(idx)))
    mother_first = rng.random(len(idx)) < 0.5
    add(idx, np.where(mother_first, mother, father), ~mother_first, AANVRAGER)
    add(idx, np.where(mother_first, father, mother), mother_first, PARTNER)
    add(idx[owner], kid_age, rng.random(len(owner)) < 0.512, KIND)

    idx = np.flatnonzero(hh_type == EENOUDER)
    parent = _sample_knots(rng, _AGE_EENOUDER, len(idx))
    parent_man = rng.random(len(idx)) < 0.2  # assumption: four in five single parents are mothers
    add(idx, parent, parent_man, AANVRAGER)
    owner, kid_age = _children(rng, parent, np.array([0.50, 0.36, 0.11, 0.025, 0.005]))
    add(idx[owner], kid_age, rng.random(len(owner)) < 0.512, KIND)

    idx = np.flatnonzero(hh_type == OVERIG)
    age = _sample_knots(rng, _AGE_OVERIG, len(idx))
    add(idx, age, rng.random(len(idx)) < 0.5, AANVRAGER)
    extra = 1 + (rng.random(len(idx)) < 0.3)
    mates = np.repeat(idx, extra)
    mate_age = np.clip(np.repeat(age, extra) + rng.normal(0, 4, len(mates)), 18, 95)
    add(mates, mate_age, rng.random(len(mates)) < 0.5, OVERIG_ROL)

    hh = np.concatenate([p[0] for p in parts])
    order = np.argsort(hh, kind="stable")
    person_hh = hh[order]
    sizes = np.bincount(person_hh, minlength=n).astype(np.int16)
    rol = np.concatenate([p[3] for p in parts])[order]
    # A family whose children all left home is a couple (or a single person) now.
    kids = np.bincount(person_hh, weights=rol == KIND, minlength=n)
    hh_type = hh_type.copy()
    hh_type[(hh_type == PAAR_K) & (kids == 0)] = PAAR
    hh_type[(hh_type == EENOUDER) & (kids == 0)] = ALLEEN
    return Structure(
        hh_type,
        sizes,
        person_hh,
        np.concatenate([p[1] for p in parts])[order],
        np.concatenate([p[2] for p in parts])[order],
        rol,
    )


def _constraints(s: Structure, cal: Calibration) -> np.ndarray:
    n = len(s.hh_size)
    size = s.hh_size.astype(float)
    cols = []
    pos_share = cal.shares("huishoudpositie")
    pos = s.position
    for i, name in enumerate(POSITIONS[:-1]):  # the last share follows from the others
        counts = np.bincount(s.person_hh, weights=pos == i, minlength=n)
        cols.append(share_constraint(counts, size, pos_share[name]))
    bands = list(AGE_BANDS.items())
    ages = cal["leeftijd"]
    for name, (lo, hi) in bands[:-1]:
        counts = np.bincount(s.person_hh, weights=(s.age >= lo) & (s.age < hi), minlength=n)
        cols.append(share_constraint(counts, size, ages[name].waarde))
    kids = np.bincount(s.person_hh, weights=s.rol == KIND, minlength=n)
    family = (kids > 0).astype(float)
    kid_share = cal.shares("kinderen_per_gezin")
    cols.append(share_constraint(kids == 1, family, kid_share["1"]))
    cols.append(share_constraint(kids == 2, family, kid_share["2"]))
    return np.column_stack(cols)


def draw_structures(rng: np.random.Generator, persons: int, cal: Calibration) -> Structure:
    """Draw households until they hold ``persons`` people, calibrated to CBS shares.

    Args:
        rng: the generator's random state.
        persons: how many people the households hold together (the last household may
            overshoot by a few).
        cal: the calibration figures.

    Returns:
        The household structures, numbered 0..n-1.
    """
    expected_households = int(persons / 2.1) + 10
    pool = _candidates(rng, max(4 * expected_households, 2000))
    weights = rake(_constraints(pool, cal))
    mean_size = float(weights @ pool.hh_size)
    draw = rng.choice(len(weights), size=int(persons / mean_size * 1.05) + 20, p=weights)
    cum = np.cumsum(pool.hh_size[draw])
    n_hh = int(np.searchsorted(cum, persons) + 1)
    return pool.take(draw[:n_hh])
