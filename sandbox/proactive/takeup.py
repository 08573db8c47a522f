"""Take-up behaviour: who claims without outreach, how late, and who responds to a contact.

Per (unit, regeling) with an entitlement, the odds of *not* claiming are a per-regeling
intercept times the odds ratios of the determinants the literature names (``data/gedrag.yaml``).
The intercepts are calibrated (`calibrate`) so that the reactive baseline's non-take-up on the
reference population equals each regeling's literature rate; they are stored with the dataset
digest they were fitted on in ``data/kalibratie.yaml``. Randomness comes from a stable hash of
(seed, regeling, unit), so a strategy run and its baseline share every draw (common random
numbers): outreach can only add claims, never reshuffle who claims anyway.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from sandbox.errors import StrategyError
from sandbox.rules import Regeling

__all__ = [
    "Behaviour",
    "Channel",
    "load_behaviour",
    "load_calibration",
    "write_calibration",
    "uniforms",
    "non_take_up_odds",
    "claim_starts",
    "non_take_up",
    "calibrate",
    "target_rate",
]

_DATA = Path(__file__).parent / "data"
NEVER = np.iinfo(np.int32).max


@dataclass(frozen=True)
class Channel:
    """A way to contact people: cost per contact, response, whether it is digital."""

    naam: str
    kosten: float
    respons: float
    digitaal: bool
    geschreven: bool


@dataclass
class Behaviour:
    """The take-up assumptions (``data/gedrag.yaml``), each with its source in the file."""

    determinanten: dict[str, dict]
    vertraging_maanden: float
    vertraging_per_regeling: dict[str, float]
    kanalen: dict[str, Channel]
    digitaal_factor: float
    taal_factor: float
    aangenomen: dict[str, dict] = field(default_factory=dict)

    def channel(self, name: str) -> Channel:
        """The channel ``name``, or a StrategyError listing the known ones."""
        if name not in self.kanalen:
            raise StrategyError(
                f"unknown kanaal '{name}'; known: {', '.join(sorted(self.kanalen))}"
            )
        return self.kanalen[name]


def load_behaviour(path: Path | None = None) -> Behaviour:
    """Read the take-up assumptions; a StrategyError when the file is unusable."""
    path = path or _DATA / "gedrag.yaml"
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        kanalen = {
            name: Channel(
                naam=name,
                kosten=float(c["kosten"]["waarde"]),
                respons=float(c["respons"]["waarde"]),
                digitaal=bool(c["digitaal"]),
                geschreven=name in ("brief", "mijnoverheid"),
            )
            for name, c in raw["kanalen"].items()
        }
        return Behaviour(
            determinanten=raw["determinanten"],
            vertraging_maanden=float(raw["vertraging"]["gemiddeld_maanden"]),
            vertraging_per_regeling={
                k: float(v) for k, v in (raw["vertraging"].get("per_regeling") or {}).items()
            },
            kanalen=kanalen,
            digitaal_factor=float(raw["digitale_respons_bij_lage_vaardigheid"]["factor"]),
            taal_factor=float(raw["taal_respons_bij_lage_taalvaardigheid"]["factor"]),
            aangenomen=raw.get("aangenomen_niet_gebruik", {}),
        )
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError) as exc:
        raise StrategyError(f"{path}: unusable take-up assumptions ({exc})") from None


def target_rate(reg: Regeling, behaviour: Behaviour) -> tuple[float, str, bool]:
    """A regeling's non-take-up target in %, its source, and whether it is a literature figure."""
    if reg.niet_gebruik is not None and reg.niet_gebruik.percentage is not None:
        return float(reg.niet_gebruik.percentage), reg.niet_gebruik.bron, True
    assumed = behaviour.aangenomen.get(reg.id)
    if assumed:
        return float(assumed["percentage"]), assumed["bron"], False
    return 0.0, "geen cijfer: iedereen met recht vraagt aan", False


def uniforms(seed: int, salt: str, regeling: np.ndarray, unit: np.ndarray) -> np.ndarray:
    """Stable U(0,1) per (seed, salt, regeling, unit): splitmix64 over the combined key."""
    codes = np.array([zlib.crc32(f"{salt}:{r}".encode()) for r in regeling], dtype=np.uint64)
    with np.errstate(over="ignore"):
        x = (
            np.asarray(unit, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
            + codes * np.uint64(0xD1B54A32D192ED03)
            + np.uint64(seed & 0xFFFFFFFF) * np.uint64(0x94D049BB133111EB)
        )
        x ^= x >> np.uint64(30)
        x *= np.uint64(0xBF58476D1CE4E5B9)
        x ^= x >> np.uint64(27)
        x *= np.uint64(0x94D049BB133111EB)
        x ^= x >> np.uint64(31)
    return (x >> np.uint64(11)).astype(np.float64) / float(1 << 53)


def non_take_up_odds(pairs: pd.DataFrame, behaviour: Behaviour) -> np.ndarray:
    """Log odds ratio of not claiming per pair, from the determinants (without intercept).

    ``pairs`` needs: regeling, bedrag_eerste, leeftijd, leeftijd_maanden, arbeidsstatus,
    herkomst, digitale_vaardigheid, taalvaardigheid, recente_gebeurtenis.
    """
    d = behaviour.determinanten
    flags = {
        "klein_bedrag": pairs["bedrag_eerste"].to_numpy() <= d["klein_bedrag"]["drempel_maand"],
        "jonger_dan_27": pairs["leeftijd"].fillna(99).to_numpy() < 27,
        "zzp": (pairs["arbeidsstatus"] == "zzp").to_numpy(),
        "recent_met_pensioen": pairs["leeftijd_maanden"]
        .fillna(0)
        .between(67 * 12, 67 * 12 + d["recent_met_pensioen"]["maanden"] - 1)
        .to_numpy(),
        "lage_digitale_vaardigheid": (pairs["digitale_vaardigheid"] == "laag").to_numpy(),
        "lage_taalvaardigheid": (pairs["taalvaardigheid"] == "laag").to_numpy(),
        "herkomst_eu": (pairs["herkomst"] == "EU").to_numpy(),
        "recente_levensgebeurtenis": pairs["recente_gebeurtenis"].fillna(False).to_numpy(),
    }
    out = np.zeros(len(pairs))
    regeling = pairs["regeling"].to_numpy()
    for name, flag in flags.items():
        spec = d[name]
        applies = np.asarray(flag, dtype=bool)
        if spec.get("geldt_voor"):
            applies &= np.isin(regeling, spec["geldt_voor"])
        out += np.where(applies, np.log(spec["odds_ratio"]), 0.0)
    return out


def claim_starts(
    pairs: pd.DataFrame,
    intercepts: dict[str, float],
    offsets: np.ndarray,
    behaviour: Behaviour,
    seed: int,
) -> np.ndarray:
    """Month index from which each pair claims without outreach (``NEVER`` if it does not).

    A pair entitled in the first month its regeling is evaluated (column ``bestaand``) and
    claiming is an existing user; one that becomes entitled later claims after a geometric
    delay (mean per regeling from ``gedrag.yaml``).
    """
    reg = pairs["regeling"].to_numpy()
    unit = pairs["unit_id"].to_numpy()
    first = pairs["eerste"].to_numpy()
    alpha = np.array([intercepts.get(r, -np.inf) for r in reg])
    p_not = 1.0 / (1.0 + np.exp(-(alpha + offsets)))
    claims = uniforms(seed, "claim", reg, unit) >= p_not
    mean = np.array(
        [behaviour.vertraging_per_regeling.get(r, behaviour.vertraging_maanden) for r in reg]
    )
    w = np.clip(uniforms(seed, "delay", reg, unit), 1e-12, 1.0 - 1e-12)
    q = mean / (1.0 + mean)
    with np.errstate(divide="ignore", invalid="ignore"):
        delay = np.where(q > 0, np.floor(np.log(w) / np.log(np.where(q > 0, q, 0.5))), 0)
    start = np.where(pairs["bestaand"].to_numpy(), first, first + delay.astype(np.int64))
    return np.where(claims, start, NEVER).astype(np.int64)


def non_take_up(cum_entitled: np.ndarray, starts: np.ndarray) -> tuple[float, float]:
    """Entitled unit-months without a claim, and all entitled unit-months, for some pairs.

    ``cum_entitled[i, k]`` counts pair i's entitled months before month k (k = 0..M).
    """
    months = cum_entitled.shape[1] - 1
    idx = np.minimum(starts, months)
    missed = cum_entitled[np.arange(len(starts)), idx].sum()
    return float(missed), float(cum_entitled[:, -1].sum())


def calibrate(
    pairs: pd.DataFrame,
    cum_entitled: np.ndarray,
    offsets: np.ndarray,
    targets: dict[str, float],
    behaviour: Behaviour,
    seed: int,
) -> dict[str, dict]:
    """Find per regeling the intercept at which baseline non-take-up equals its target (%).

    Bisection on the intercept: with common random numbers non-take-up only grows with it.

    Returns:
        Per regeling: ``intercept``, ``doel`` and ``bereikt`` (percent) and ``paren``.
    """
    out = {}
    reg = pairs["regeling"].to_numpy()
    for name, target in targets.items():
        sel = reg == name
        if not sel.any():
            continue
        sub = pairs[sel]
        lo, hi = -20.0, 20.0
        for _ in range(60):
            mid = (lo + hi) / 2
            starts = claim_starts(sub, {name: mid}, offsets[sel], behaviour, seed)
            missed, total = non_take_up(cum_entitled[sel], starts)
            if 100 * missed / total < target:
                lo = mid
            else:
                hi = mid
        starts = claim_starts(sub, {name: hi}, offsets[sel], behaviour, seed)
        missed, total = non_take_up(cum_entitled[sel], starts)
        out[name] = {
            "intercept": round(hi, 6),
            "doel": target,
            "bereikt": round(100 * missed / total, 3),
            "paren": int(sel.sum()),
        }
    return out


def load_calibration(path: Path | None = None) -> dict:
    """The stored calibration: ``dataset``, ``digest``, ``periode``, ``seed``, ``regelingen``."""
    path = path or _DATA / "kalibratie.yaml"
    if not path.exists():
        raise StrategyError(
            f"{path}: no take-up calibration; run `sandbox takeup calibrate nl-default` first"
        )
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def write_calibration(result: dict, path: Path | None = None) -> Path:
    """Store a calibration (atomically) next to the behaviour assumptions."""
    path = path or _DATA / "kalibratie.yaml"
    header = (
        "# Take-up intercepts fitted by sandbox.proactive.calibrate on the reference population\n"
        "# named below: with them the reactive baseline reproduces each regeling's non-take-up\n"
        "# rate (doel, from the regeling file's niet_gebruik or gedrag.yaml). Regenerate with\n"
        "# `sandbox takeup calibrate <dataset>` after the world, the rules or gedrag.yaml change.\n"
    )
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(header + yaml.safe_dump(result, sort_keys=False, allow_unicode=True))
    tmp.replace(path)
    return path
