"""CBS calibration figures for the reference population, loaded from package data.

Every figure carries its unit and its source; loading fails when one of them is missing, so
a number without a source can never steer the generator.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import pandas as pd
import yaml

from sandbox.errors import CalibrationError

__all__ = ["Figure", "Calibration", "load_calibration", "load_gemeenten"]

_REQUIRED = ("waarde", "eenheid", "bron")


@dataclass(frozen=True)
class Figure:
    """One sourced figure: its value, unit, reference year, source and status."""

    waarde: float
    eenheid: str
    bron: str
    jaar: int | None = None
    status: str = "bron"  # "bron" (official), "afgeleid" (derived) or "aanname" (assumption)


@dataclass(frozen=True)
class Calibration:
    """All calibration figures, grouped as in `calibration.yaml`."""

    groups: dict[str, dict[str, Figure]]

    def __getitem__(self, key: str) -> dict[str, Figure]:
        try:
            return self.groups[key]
        except KeyError:
            raise CalibrationError(
                f"calibration.yaml has no group '{key}'; groups: {sorted(self.groups)}"
            ) from None

    def value(self, group: str, name: str) -> float:
        """Return the value of one figure, e.g. ``value("arbeid", "werkloos")``."""
        figures = self[group]
        if name not in figures:
            raise CalibrationError(
                f"calibration.yaml group '{group}' has no figure '{name}'; "
                f"figures: {sorted(figures)}"
            )
        return figures[name].waarde

    def shares(self, group: str) -> dict[str, float]:
        """Return a group of counts normalised to shares that sum to one."""
        raw = {k: f.waarde for k, f in self[group].items()}
        total = sum(raw.values())
        return {k: v / total for k, v in raw.items()}


def _parse(data: object) -> Calibration:
    if not isinstance(data, dict):
        raise CalibrationError("calibration.yaml must be a mapping of groups")
    groups: dict[str, dict[str, Figure]] = {}
    for group, figures in data.items():
        if not isinstance(figures, dict):
            raise CalibrationError(f"calibration.yaml group '{group}' must be a mapping")
        groups[group] = {}
        for name, fig in figures.items():
            missing = [k for k in _REQUIRED if not (isinstance(fig, dict) and fig.get(k))]
            if missing:
                raise CalibrationError(
                    f"calibration.yaml {group}.{name} lacks {', '.join(missing)}; "
                    "every figure needs a value, a unit and a source"
                )
            groups[group][str(name)] = Figure(
                waarde=float(fig["waarde"]),
                eenheid=str(fig["eenheid"]),
                bron=str(fig["bron"]),
                jaar=fig.get("jaar"),
                status=str(fig.get("status", "bron")),
            )
    return Calibration(groups)


@cache
def load_calibration() -> Calibration:
    """Load and validate the packaged calibration figures.

    Returns:
        The figures, each with unit and source.

    Raises:
        CalibrationError: when a figure lacks a value, a unit or a source.
    """
    text = resources.files("sandbox.world").joinpath("data/calibration.yaml").read_text("utf-8")
    return _parse(yaml.safe_load(text))


@cache
def load_gemeenten() -> pd.DataFrame:
    """Load the 342 gemeenten of 2025 with their population (CBS 85984NED, 1 January 2024).

    Returns:
        A frame with ``gemeente_code``, ``gemeente_naam``, ``provincie``, ``inwoners``,
        ``stedelijkheid`` (CBS urbanity class 1-5) and ``gewicht`` (share of the population).
    """
    path = resources.files("sandbox.world").joinpath("data/gemeenten_2025.csv")
    with path.open("r", encoding="utf-8") as fh:
        frame = pd.read_csv(fh, dtype={"gemeente_code": str})
    frame = frame.sort_values("gemeente_code", ignore_index=True)
    frame["gewicht"] = frame["inwoners"] / frame["inwoners"].sum()
    return frame
