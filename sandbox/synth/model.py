"""The synthesizer: one SDV model per household type and woonsituatie, plus member models.

A household type decides which members exist (partner, children, others) and the woonsituatie
decides which housing costs exist (rent for renters, WOZ for owners), so each combination gets
its own model over exactly the columns that apply to it. Children and other members come from
a model per rol and are matched to the ages the household rows ask for.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sandbox.errors import SynthError
from sandbox.synth.constraints import (
    DomainRules,
    age_band,
    flat_valid,
    member_valid,
    sdv_constraints,
)
from sandbox.synth.flat import DAYS_PER_YEAR, PERSON_ATTRIBUTES, flatten, group_columns
from sandbox.synth.sampling import TABLE as _TABLE
from sandbox.synth.sampling import join_origin, sample_rows, sdv_quiet
from sandbox.synth.source import Source
from sandbox.tracking import dataset_digest

__all__ = [
    "MODELS",
    "MIN_HOUSEHOLDS",
    "MIN_GROUP_ROWS",
    "Synthesizer",
    "fit",
    "sdv_quiet",
]

MODELS = ("gaussian_copula", "ctgan", "tvae")
MIN_HOUSEHOLDS = 200  # fewer training households cannot give a faithful model
MIN_GROUP_ROWS = 30  # a household type x woonsituatie with fewer rows is left out
HOLDOUT_SHARE = 0.2  # kept out of training for the overfitting check
Progress = Callable[[str, int, int], None]


def _metadata(frame: pd.DataFrame):
    from sdv.metadata import Metadata

    columns = {}
    for col in frame.columns:
        values = frame[col].dropna()
        if col == "gemeente_code" or frame[col].dtype == object and not _is_bool(values):
            columns[col] = {"sdtype": "categorical"}
        elif _is_bool(values):
            columns[col] = {"sdtype": "boolean"}
        else:
            columns[col] = {"sdtype": "numerical"}
    return Metadata.load_from_dict({"tables": {_TABLE: {"columns": columns}}})


def _is_bool(values: pd.Series) -> bool:
    return len(values) > 0 and pd.api.types.infer_dtype(values, skipna=True) == "boolean"


def _prepare(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for col in out.columns:
        values = out[col].dropna()
        if _is_bool(values):
            out[col] = out[col].astype(object)
    return out


def _model(kind: str, metadata, epochs: int | None):
    from sdv.single_table import CTGANSynthesizer, GaussianCopulaSynthesizer, TVAESynthesizer

    if kind == "gaussian_copula":
        # Normal marginals: QuantileMarginals has already made every numerical column normal,
        # and maps back within the source's range and precision, so SDV need not clip or round.
        return GaussianCopulaSynthesizer(
            metadata,
            enforce_min_max_values=False,
            enforce_rounding=False,
            default_distribution="norm",
        )
    cls = CTGANSynthesizer if kind == "ctgan" else TVAESynthesizer
    return cls(metadata, enforce_min_max_values=True, epochs=epochs or 300)


def _ordered_encoder(order: list):
    """A UniformEncoder that lays categories out on [0, 1] in the given order."""
    from rdt.transformers.categorical import UniformEncoder

    class AgeOrderedEncoder(UniformEncoder):
        def _fit(self, data: pd.Series) -> None:
            super()._fit(data)
            labels = [c for c in order if c in self.frequencies]
            labels += [c for c in self.frequencies if c not in labels]
            freq = [self.frequencies[c] for c in labels]
            self.frequencies, self.intervals = self._compute_frequencies_intervals(labels, freq)

    return AgeOrderedEncoder()


def _fit_one(kind: str, frame: pd.DataFrame, *, member: bool, epochs: int | None):
    frame = join_origin(_prepare(frame))
    synth = _model(kind, _metadata(frame), epochs)
    with sdv_quiet():
        synth.add_constraints(
            sdv_constraints(list(frame.columns), member=member, quantiles=kind == "gaussian_copula")
        )
        if kind == "gaussian_copula":
            # Order employment statuses by mean age, so the copula's (monotone) dependence on
            # age can express "students young, pensioners old".
            age_col = "leeftijd" if member else "a_leeftijd"
            synth.auto_assign_transformers({_TABLE: frame})
            updates = {}
            for col in [c for c in frame.columns if c.endswith("arbeidsstatus")]:
                who = col.removesuffix("arbeidsstatus")
                age = frame[age_col] + (frame["p_leeftijd_verschil"] if who == "p_" else 0)
                order = age.groupby(frame[col]).mean().sort_values().index.tolist()
                updates[col] = _ordered_encoder(order)
            if updates:
                synth.update_transformers(updates)
        synth.fit({_TABLE: frame})
    return synth


@dataclass
class Synthesizer:
    """A fitted synthesizer: what it learned from, and its models."""

    info: dict
    groups: dict[str, object] = field(default_factory=dict)
    members: dict[str, object] = field(default_factory=dict)
    holdout: list[int] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The synthesizer's name."""
        return self.info["name"]

    def sample_flat(self, n: int, rng: np.random.Generator) -> pd.DataFrame:
        """Sample ``n`` flat household rows, spread over the groups as in the source."""
        keys = list(self.info["groups"])
        weights = np.array([self.info["groups"][k]["rijen"] for k in keys], dtype=float)
        counts = rng.multinomial(n, weights / weights.sum())
        frames = []
        for key, count in zip(keys, counts, strict=True):
            if count:
                frames.append(self._sample_group(key, int(count), rng))
        flat = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        return flat.iloc[rng.permutation(len(flat))].reset_index(drop=True)

    def _sample_group(self, key: str, count: int, rng: np.random.Generator) -> pd.DataFrame:
        model = self.groups[key]
        huishoudtype, woonsituatie = key.split("__")
        rules = [
            c.programmable_constraint
            for c in getattr(model, "_chained_constraints", [])
            if isinstance(getattr(c, "programmable_constraint", None), DomainRules)
        ]
        valid = rules[0].is_valid if rules else flat_valid
        got: list[pd.DataFrame] = []
        need, tries = count, 0
        while need > 0:
            tries += 1
            if tries > 20:
                raise SynthError(
                    f"synthesizer '{self.name}': group {key} yields too few valid rows; "
                    "refit on a larger source"
                )
            ask = int(need * 1.15) + 10  # a few rows fail the rules and are rejected
            rows = sample_rows(model, ask, int(rng.integers(2**31)))
            rows = rows[valid(rows).to_numpy()]
            got.append(rows)
            need -= len(rows)
        out = pd.concat(got, ignore_index=True).head(count)
        return out.assign(huishoudtype=huishoudtype, woonsituatie=woonsituatie)

    def sample_members(self, slots: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
        """Attributes for required members (``rol``, ``leeftijd``), matched by age band.

        Model rows are drawn per rol; within each age band the slots and model rows are sorted
        by age and paired, so a member takes attributes of a model row of about its age and
        every age rule holds.
        """
        if slots.empty:
            return slots.assign(**{c: pd.Series(dtype=object) for c in PERSON_ATTRIBUTES})
        rol = slots["rol"].iloc[0]
        model = self.members.get(rol)
        if model is None:
            raise SynthError(f"synthesizer '{self.name}' has no model for members with rol {rol}")
        ages = np.round(slots["leeftijd"].to_numpy(float) * DAYS_PER_YEAR) / DAYS_PER_YEAR
        slot_band = age_band(ages)
        need = np.bincount(slot_band, minlength=8)
        pool: list[pd.DataFrame] = []
        have = np.zeros(8, dtype=np.int64)
        size, drawn = int(len(slots) * 1.1) + 50, 0
        for _ in range(12):
            if (have >= need).all():
                break
            rows = sample_rows(model, size, int(rng.integers(2**31)))
            drawn += size
            rows["leeftijd"] = np.round(rows["leeftijd"] * DAYS_PER_YEAR) / DAYS_PER_YEAR
            rows = rows[member_valid(rows)]
            rows = rows.assign(_band=age_band(rows["leeftijd"].to_numpy()))
            pool.append(rows)
            have += np.bincount(rows["_band"], minlength=8)
            # Draw again only for the bands still short, at the rate each band came up.
            short = need > have
            rate = np.maximum(have, 1) / drawn
            size = int(np.max(np.where(short, (need - have) / rate, 0)) * 1.2) + 50
        rows = pd.concat(pool, ignore_index=True)
        out = pd.DataFrame(index=np.arange(len(slots)), columns=list(PERSON_ATTRIBUTES))
        out = out.astype(object)
        for band in np.flatnonzero(need):
            cand = rows[rows["_band"] == band]
            if cand.empty:
                raise SynthError(
                    f"synthesizer '{self.name}': the {rol} model yields no members aged like "
                    f"{ages[slot_band == band][:1]}; refit on a larger source"
                )
            pick = rng.choice(len(cand), need[band], replace=need[band] > len(cand))
            chosen = cand.iloc[pick].sort_values("leeftijd", kind="stable")
            idx = np.flatnonzero(slot_band == band)
            idx = idx[np.argsort(ages[idx], kind="stable")]
            out.iloc[idx] = chosen[list(PERSON_ATTRIBUTES)].to_numpy(object)
        result = slots.reset_index(drop=True).copy()
        result["leeftijd"] = ages
        for col in PERSON_ATTRIBUTES:
            result[col] = out[col].to_numpy()
        return result


def _split(flat: pd.DataFrame, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng([seed, 1])
    order = rng.permutation(len(flat))
    n_hold = int(round(len(flat) * HOLDOUT_SHARE))
    return np.sort(order[n_hold:]), np.sort(order[:n_hold])


def fit(
    source: Source,
    model: str,
    name: str,
    seed: int = 0,
    *,
    epochs: int | None = None,
    progress: Progress | None = None,
) -> Synthesizer:
    """Fit a synthesizer on a source (not yet saved; see :func:`save`).

    Args:
        source: the source on its peildatum.
        model: ``gaussian_copula``, ``ctgan`` or ``tvae``.
        name: the synthesizer's name.
        seed: seed for the holdout split and the model fits.
        epochs: training epochs for ctgan and tvae (SDV's default 300 when None).
        progress: callback ``(step, done, total)``.

    Returns:
        The fitted synthesizer.

    Raises:
        SynthError: unknown model, or a source too small to fit.
    """
    if model not in MODELS:
        raise SynthError(f"unknown model '{model}'; choose one of {', '.join(MODELS)}")
    report = progress or (lambda step, done, total: None)
    started = time.perf_counter()
    flat, members, left_out = flatten(source.households, source.persons, source.peildatum)
    if len(flat) < MIN_HOUSEHOLDS / (1 - HOLDOUT_SHARE):
        raise SynthError(
            f"source '{source.name}' has {len(flat)} usable households; at least "
            f"{int(np.ceil(MIN_HOUSEHOLDS / (1 - HOLDOUT_SHARE)))} are needed to fit and keep "
            f"{HOLDOUT_SHARE:.0%} apart for the privacy check"
        )
    train_idx, hold_idx = _split(flat, seed)
    train = flat.iloc[train_idx]
    train_members = members[members["household_id"].isin(train["household_id"])]
    try:
        import torch

        torch.manual_seed(seed)
    except ImportError:  # pragma: no cover - SDV depends on torch
        pass
    np.random.seed(seed % 2**32)  # SDV's transformers draw from numpy's global state
    info: dict = {
        "name": name,
        "model": model,
        "seed": seed,
        "epochs": epochs,
        "bron": _source_info(source),
        "groups": {},
        "leden": {},
        "weggelaten": {"huishoudens_structuur": int(left_out), "groepen": {}},
        "holdout": {"aandeel": HOLDOUT_SHARE, "huishoudens": len(hold_idx)},
        "trainingshuishoudens": len(train),
    }
    syn = Synthesizer(info=info, holdout=flat["household_id"].iloc[hold_idx].astype(int).tolist())
    keys = train.groupby(["huishoudtype", "woonsituatie"]).size()
    member_rows = {
        rol: train_members[train_members["rol"] == rol].drop(columns=["household_id", "rol"])
        for rol in ("kind", "overig")
    }
    member_rows = {rol: rows[member_valid(rows)] for rol, rows in member_rows.items()}
    usable_members = {rol for rol, rows in member_rows.items() if len(rows) >= MIN_GROUP_ROWS}
    todo = []
    dropped_rules = 0
    for (huishoudtype, woonsituatie), count in keys.items():
        key = f"{huishoudtype}__{woonsituatie}"
        role = {"paar_kinderen": "kind", "eenouder": "kind", "overig": "overig"}.get(huishoudtype)
        if count < MIN_GROUP_ROWS or (role is not None and role not in usable_members):
            info["weggelaten"]["groepen"][key] = int(count)
            continue
        rows = train[
            (train["huishoudtype"] == huishoudtype) & (train["woonsituatie"] == woonsituatie)
        ]
        rows = rows[group_columns(huishoudtype, woonsituatie)].reset_index(drop=True)
        valid = flat_valid(rows).to_numpy()
        dropped_rules += int((~valid).sum())
        todo.append((key, rows[valid].reset_index(drop=True)))
    info["weggelaten"]["huishoudens_regels"] = dropped_rules
    needed_roles = sorted(
        {"kind" for k, _ in todo if k.split("__")[0] in ("paar_kinderen", "eenouder")}
        | {"overig" for k, _ in todo if k.startswith("overig__")}
    )
    total = len(todo) + len(needed_roles)
    for i, (key, rows) in enumerate(todo):
        report(f"model {key.replace('__', ' / ')}", i, total)
        syn.groups[key] = _fit_one(model, rows, member=False, epochs=epochs)
        info["groups"][key] = {"rijen": len(rows), "kolommen": list(rows.columns)}
    for j, rol in enumerate(needed_roles):
        report(f"leden {rol}", len(todo) + j, total)
        rows = member_rows[rol].reset_index(drop=True)
        syn.members[rol] = _fit_one(model, rows, member=True, epochs=epochs)
        info["leden"][rol] = {"rijen": len(rows), "kolommen": list(rows.columns)}
    if not syn.groups:
        raise SynthError(
            f"source '{source.name}': no household type has {MIN_GROUP_ROWS}+ training rows; "
            "use a larger source"
        )
    report("klaar", total, total)
    info["fit_seconden"] = round(time.perf_counter() - started, 1)
    return syn


def _source_info(source: Source) -> dict:
    return {
        "naam": source.name,
        "soort": source.kind,
        "pad": str(source.path),
        "digest": dataset_digest(source.manifest),
        "peildatum": source.peildatum.date().isoformat(),
        "periode": source.period,
    }
