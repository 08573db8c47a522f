"""Regressions from official publications: each case is a sentence with its source."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sandbox.rules import Case, calc, load_catalog, select

CASES = sorted((Path(__file__).parent / "cases").glob("*.yaml"))


def _load() -> list:
    out = []
    for path in CASES:
        for case in yaml.safe_load(path.read_text(encoding="utf-8")):
            out.append(pytest.param(case, id=f"{path.stem}: {case['naam']}"))
    return out


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.mark.parametrize("case", _load())
def test_official_example(case: dict, catalog) -> None:
    assert case["bron"].strip(), "every example names its source"
    spec = Case.model_validate(case["casus"])
    result = calc(spec, select(catalog, [case["regeling"]]))
    entries = [e for e in result if e.get("persoon", case.get("persoon")) == case.get("persoon")]
    assert len(entries) == 1, result
    entry = entries[0]
    expected = case["verwacht"]
    failing = [v["id"] for v in entry["voorwaarden"] if not v["voldaan"]]
    assert entry["recht"] is expected["recht"], f"voorwaarden niet voldaan: {failing}"
    if "bedrag_maand" in expected:
        assert entry["bedrag_maand"] == pytest.approx(expected["bedrag_maand"], abs=0.005)
    if "bedrag_jaar" in expected:
        assert entry["bedrag_jaar"] == pytest.approx(expected["bedrag_jaar"], abs=0.005)
