"""Fitted synthesizers on disk: ``<sandbox home>/synthesizers/<name>/``.

A folder holds ``synthesizer.json`` (source, model, seed, groups, columns, what was left out),
``holdout.json`` (the source households kept out of training), one SDV ``.pkl`` per household
type and woonsituatie in ``groepen/`` and one per member rol in ``leden/``. It is written into
a temporary folder and renamed into place.
"""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from sandbox import __version__
from sandbox.errors import SynthError
from sandbox.synth.model import MODELS, Synthesizer, fit, sdv_quiet
from sandbox.synth.source import read_source
from sandbox.tracking import sandbox_home

__all__ = ["synthesizers_dir", "fit_synthesizer", "save", "load", "list_synthesizers"]

Progress = Callable[[str, int, int], None]


def synthesizers_dir() -> Path:
    """Where fitted synthesizers live: ``<sandbox home>/synthesizers``."""
    return sandbox_home() / "synthesizers"


def list_synthesizers() -> list[str]:
    """Names of the saved synthesizers, sorted."""
    root = synthesizers_dir()
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / "synthesizer.json").is_file())


def _ensure_free(name: str, overwrite: bool) -> None:
    if (synthesizers_dir() / name).exists() and not overwrite:
        raise SynthError(
            f"synthesizer '{name}' already exists in {synthesizers_dir()}; "
            "pass --overwrite or choose another --name"
        )


def fit_synthesizer(
    source: str,
    model: str,
    name: str,
    seed: int = 0,
    *,
    peildatum: str | None = None,
    epochs: int | None = None,
    overwrite: bool = False,
    progress: Progress | None = None,
) -> tuple[Path, Synthesizer]:
    """Read a source, fit a synthesizer on it and save it.

    Args:
        source: a dataset name or an extract folder.
        model: ``gaussian_copula``, ``ctgan`` or ``tvae``.
        name: the synthesizer's name.
        seed: seed for the holdout split and the fits.
        peildatum: the day an extract describes (default 2025-01-01).
        epochs: training epochs for ctgan and tvae.
        overwrite: replace a synthesizer of the same name.
        progress: callback ``(step, done, total)``.

    Returns:
        The synthesizer folder and the synthesizer.

    Raises:
        SynthError: name taken, bad source, unknown model, source too small.
        DatasetNotFoundError: no such dataset.
    """
    if model not in MODELS:
        raise SynthError(f"unknown model '{model}'; choose one of {', '.join(MODELS)}")
    _ensure_free(name, overwrite)
    syn = fit(read_source(source, peildatum), model, name, seed, epochs=epochs, progress=progress)
    return save(syn, overwrite=overwrite), syn


def save(syn: Synthesizer, *, overwrite: bool = False) -> Path:
    """Write a synthesizer folder atomically: models as ``.pkl``, ``synthesizer.json``.

    Raises:
        SynthError: the name is taken and ``overwrite`` is false.
    """
    _ensure_free(syn.name, overwrite)
    root = synthesizers_dir()
    final = root / syn.name
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / f".{syn.name}.tmp-{uuid.uuid4().hex[:8]}"
    (tmp / "groepen").mkdir(parents=True)
    (tmp / "leden").mkdir()
    try:
        with sdv_quiet():
            for key, model in syn.groups.items():
                model.save(str(tmp / "groepen" / f"{key}.pkl"))
            for rol, model in syn.members.items():
                model.save(str(tmp / "leden" / f"{rol}.pkl"))
        info = {
            **syn.info,
            "package_version": __version__,
            "sdv_version": version("sdv"),
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        syn.info = info
        (tmp / "synthesizer.json").write_text(json.dumps(info, indent=2, ensure_ascii=False))
        (tmp / "holdout.json").write_text(json.dumps(syn.holdout))
        if final.exists():
            shutil.rmtree(final)
        tmp.rename(final)
        return final
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def load(name: str) -> Synthesizer:
    """Load a saved synthesizer by name.

    Raises:
        SynthError: no synthesizer of that name.
    """
    from sdv.utils import load_synthesizer

    folder = synthesizers_dir() / name
    if not (folder / "synthesizer.json").is_file():
        known = list_synthesizers()
        raise SynthError(
            f"no synthesizer '{name}' in {synthesizers_dir()} (known: "
            f"{', '.join(known) or 'none yet'}); fit one with 'sandbox synth fit'"
        )
    info = json.loads((folder / "synthesizer.json").read_text())
    with sdv_quiet():
        groups = {k: load_synthesizer(str(folder / "groepen" / f"{k}.pkl")) for k in info["groups"]}
        members = {r: load_synthesizer(str(folder / "leden" / f"{r}.pkl")) for r in info["leden"]}
    holdout = json.loads((folder / "holdout.json").read_text())
    return Synthesizer(info=info, groups=groups, members=members, holdout=holdout)
