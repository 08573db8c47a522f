"""Case files: the contract's example works; malformed files give one line each."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sandbox.errors import CaseError, RuleError
from sandbox.rules import calc, load_case, load_catalog, select

EXAMPLE = {
    "peildatum": "2025-06-01",
    "huishouden": {
        "gemeente_code": "GM0363",
        "woonsituatie": "huur_sociaal",
        "kale_huur": 650.0,
        "servicekosten": 40.0,
    },
    "personen": [
        {
            "id": "a",
            "rol": "aanvrager",
            "geboortedatum": "1990-03-01",
            "inkomen": 30000,
            "vermogen": 5000,
            "zorgverzekerd": True,
        },
        {
            "id": "b",
            "rol": "partner",
            "geboortedatum": "1991-07-12",
            "inkomen": 12000,
            "vermogen": 0,
            "zorgverzekerd": True,
        },
        {"id": "c", "rol": "kind", "geboortedatum": "2020-01-01"},
    ],
}


def _file(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "casus.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


def test_contract_example_gives_every_field(tmp_path: Path) -> None:
    result = calc(load_case(_file(tmp_path, EXAMPLE)), list(load_catalog().values()))
    assert result
    for entry in result:
        assert {"regeling", "recht", "bedrag_maand", "bedrag_jaar", "voorwaarden"} <= set(entry)
        assert entry["bedrag_jaar"] == pytest.approx(entry["bedrag_maand"] * 12, abs=0.06)
        assert entry["recht"] == all(v["voldaan"] for v in entry["voorwaarden"])
        if not entry["recht"]:
            assert entry["bedrag_maand"] == 0
        for v in entry["voorwaarden"]:
            assert v["grondslag"].startswith("art. ") and "BWBR" in v["grondslag"]


def test_partner_counts_in_the_aanvragers_zorgtoeslag(tmp_path: Path) -> None:
    # Joint income 42,000 with a toeslagpartner (2025): 2 x 2,112 - (4.273% x 28,406
    # + 13.7% x (42,000 - 28,406)) = 1,147.80 a year -> round 1,148 -> floor(1148 / 12) = 95.
    result = calc(load_case(_file(tmp_path, EXAMPLE)), select(load_catalog(), ["zorgtoeslag"]))
    by_person = {e["persoon"]: e for e in result}
    assert set(by_person) == {"a", "b"}  # adults only
    assert by_person["a"]["bedrag_maand"] == 95
    assert by_person["b"]["recht"] is False  # the partner is in a's claim


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ('{\n  "peildatum": "2025-06-01",\n  oops\n}', r"casus.json: line 3: invalid JSON"),
        ({**EXAMPLE, "extra": 1}, r"unknown field 'extra'"),
        ({k: v for k, v in EXAMPLE.items() if k != "peildatum"}, r"'peildatum' is missing"),
        ({**EXAMPLE, "peildatum": "2025-13-01"}, r"casus.json: peildatum: "),
        (
            {**EXAMPLE, "huishouden": {**EXAMPLE["huishouden"], "woonsituatie": "tent"}},
            r"huishouden.woonsituatie",
        ),
        ({**EXAMPLE, "personen": EXAMPLE["personen"][1:]}, r"exactly one person must have rol"),
        (
            {**EXAMPLE, "personen": [{**EXAMPLE["personen"][0], "inkomen": -5}]},
            r"personen.0.inkomen",
        ),
        (
            {**EXAMPLE, "personen": [{**EXAMPLE["personen"][0], "geboortedatum": "2030-01-01"}]},
            r"born after the peildatum",
        ),
    ],
)
def test_malformed_case_is_one_line(tmp_path: Path, data: object, message: str) -> None:
    with pytest.raises(CaseError, match=message) as err:
        load_case(_file(tmp_path, data))
    assert "\n" not in str(err.value)


def test_missing_case_file(tmp_path: Path) -> None:
    with pytest.raises(CaseError, match="case file not found"):
        load_case(tmp_path / "nope.json")


def test_year_without_parameters_is_refused(tmp_path: Path) -> None:
    case = load_case(_file(tmp_path, {**EXAMPLE, "peildatum": "2031-06-01"}))
    with pytest.raises(RuleError, match=r"^zorgtoeslag has no parameters for 2031 \(encoded: "):
        calc(case, select(load_catalog(), ["zorgtoeslag"]))
