"""The calibration data: every figure has a value, a unit and a source."""

from __future__ import annotations

from importlib import resources

import pytest
import yaml

from sandbox.errors import CalibrationError
from sandbox.world.calibration import _parse, load_calibration, load_gemeenten


def raw_figures():
    text = resources.files("sandbox.world").joinpath("data/calibration.yaml").read_text("utf-8")
    for group, figures in yaml.safe_load(text).items():
        for name, figure in figures.items():
            yield f"{group}.{name}", figure


@pytest.mark.parametrize(("name", "figure"), list(raw_figures()))
def test_every_figure_has_a_unit_and_a_source(name, figure):
    assert figure.get("eenheid"), f"{name} lacks a unit"
    assert figure.get("bron"), f"{name} lacks a source"
    assert isinstance(figure.get("waarde"), int | float), f"{name} lacks a numeric value"
    status = figure.get("status", "bron")
    assert status in {"bron", "afgeleid", "aanname"}
    if status == "bron":
        assert "http" in figure["bron"], f"{name} claims an official source without a link"


def test_a_figure_without_a_source_is_refused():
    with pytest.raises(CalibrationError, match=r"arbeid\.werkloos lacks bron"):
        _parse({"arbeid": {"werkloos": {"waarde": 1, "eenheid": "personen"}}})


def test_shares_are_normalised():
    shares = load_calibration().shares("huishoudpositie")
    assert sum(shares.values()) == pytest.approx(1.0)
    # CBS 37620: 3,340,560 of 17,653,766 persons in private households live alone.
    assert shares["alleenwonend"] == pytest.approx(3340560 / 17653766)


def test_unknown_figure_names_the_group_and_the_choices():
    with pytest.raises(CalibrationError, match="no figure 'nope'.*werkloos"):
        load_calibration().value("arbeid", "nope")


def test_gemeenten_are_the_342_of_2025_with_the_cbs_total():
    gemeenten = load_gemeenten()
    assert len(gemeenten) == 342
    assert gemeenten["gemeente_code"].is_unique
    assert gemeenten["inwoners"].sum() == 17942942  # CBS national total, 1 January 2024
    assert gemeenten["gewicht"].sum() == pytest.approx(1.0)
