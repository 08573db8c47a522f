"""Fit the take-up intercepts on a reference population and store them with their provenance."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from sandbox.proactive.population import prepare
from sandbox.proactive.takeup import (
    calibrate,
    load_behaviour,
    non_take_up_odds,
    target_rate,
    write_calibration,
)
from sandbox.tracking import dataset_digest

__all__ = ["calibrate_dataset"]


def calibrate_dataset(
    name: str,
    period: str | None = None,
    seed: int = 1,
    output: Path | None = None,
    write: bool = True,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict:
    """Fit each regeling's intercept so the reactive baseline on ``name`` hits its target.

    Args:
        name: the reference dataset (the default calibration uses ``nl-default``).
        period: ``YYYY-MM..YYYY-MM`` (default: the dataset's period).
        seed: the seed of the take-up draws (strategies use ``seed: 1`` unless they say so).
        output: where to write (default: the packaged ``data/kalibratie.yaml``).
        write: store the result (otherwise only return it).
        progress: optional callback ``(step, done, total)``.

    Returns:
        The calibration record: dataset, digest, period, seed, date and per regeling the
        intercept, the target (``doel``), what the baseline reaches (``bereikt``), the number of
        pairs and the source of the target.
    """
    prepared = prepare(name, period=period, progress=progress)
    behaviour = load_behaviour()
    targets, sources = {}, {}
    for rid, reg in prepared.regelingen.items():
        rate, source, literature = target_rate(reg, behaviour)
        targets[rid] = rate
        sources[rid] = ("literatuur: " if literature else "") + source
    offsets = non_take_up_odds(prepared.pairs, behaviour)
    fitted = calibrate(prepared.pairs, prepared.cum_entitled, offsets, targets, behaviour, seed)
    for rid in fitted:
        fitted[rid]["bron"] = sources[rid]
    result = {
        "dataset": name,
        "digest": dataset_digest(prepared.manifest),
        "periode": f"{prepared.months[0]:%Y-%m}..{prepared.months[-1]:%Y-%m}",
        "seed": seed,
        "datum": dt.date.today().isoformat(),
        "regelingen": fitted,
    }
    prepared.con.close()
    if write:
        write_calibration(result, output)
    return result
