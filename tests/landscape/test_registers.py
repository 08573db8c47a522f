"""The register catalog: every frame column has one source, every regeling one payer."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

import sandbox.landscape as landscape_pkg
from sandbox.errors import LandscapeError
from sandbox.landscape import Landscape, load_landscape
from sandbox.landscape.registers import DATA_DIR, NOT_REGISTER_DATA
from sandbox.rules import HOUSEHOLD_COLUMNS, PERSON_COLUMNS, load_catalog

REGISTERS = DATA_DIR / "registers.yaml"
# The free-text uitvoerder of a regeling file and the organisation id it stands for.
UITVOERDER = {
    "Dienst Toeslagen": "dienst_toeslagen",
    "SVB": "svb",
    "UWV": "uwv",
    "Gemeente": "gemeente",
    "DUO": "duo",
}
DATA_COLUMNS = sorted((set(PERSON_COLUMNS) | set(HOUSEHOLD_COLUMNS)) - set(NOT_REGISTER_DATA))


@pytest.fixture(scope="module")
def land() -> Landscape:
    return load_landscape()


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def raw() -> dict:
    return yaml.safe_load(REGISTERS.read_text(encoding="utf-8"))


def write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "registers.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def load_error(path: Path) -> str:
    with pytest.raises(LandscapeError) as info:
        load_landscape(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.split(": ")[0].endswith("registers.yaml")
    return message


def test_the_package_exports_the_agreed_names():
    assert set(landscape_pkg.__all__) >= {
        "Register", "Landscape", "load_landscape", "Policy", "Decision", "load_policy",
        "AuditLog", "AUDIT_COLUMNS",
    }  # fmt: skip
    assert all(hasattr(landscape_pkg, name) for name in landscape_pkg.__all__)


def test_every_frame_column_is_listed_under_exactly_one_register_attribute(land):
    listed = Counter(
        col
        for reg in raw()["registers"].values()
        for attr in reg["attributen"].values()
        for col in attr.get("kolommen", [])
    )
    assert sorted(listed) == DATA_COLUMNS
    assert [c for c, n in listed.items() if n > 1] == []
    for col in DATA_COLUMNS:
        register, attribute = land.column_source(col)
        assert col in land.attribute_columns(register, attribute)


@pytest.mark.parametrize(
    ("column", "source"),
    [
        ("inkomen", ("belastingdienst", "toetsingsinkomen")),
        ("ouders_inkomen", ("belastingdienst", "toetsingsinkomen")),
        ("inkomen_maand", ("polis", "loon")),
        ("partner_arbeidsstatus", ("polis", "arbeidsstatus")),
        ("aow_opbouwjaren", ("svb", "aow_opbouwjaren")),
        ("aanvrager_zorgverzekerd", ("zorgverzekeraars", "verzekering")),
        ("kale_huur", ("verhuurders", "kale_huur")),
        ("servicekosten", ("verhuurders", "servicekosten")),
        ("woz_waarde", ("gemeente", "woz")),
        ("medebewoners", ("brp", "bewoners")),
        ("kinderen_kwartaal_0_5", ("brp", "kinderen")),
        ("heeft_partner", ("brp", "partner")),
    ],
)
def test_a_column_comes_from_the_register_a_dutch_organisation_would_use(land, column, source):
    assert land.column_source(column) == source


def test_every_catalog_regeling_has_one_payer_held_by_its_uitvoerder(land, catalog):
    paid = Counter(r for reg in land.registers.values() for r in reg.regelingen())
    assert sorted(paid) == sorted(catalog)
    assert set(paid.values()) == {1}
    for rid, regeling in catalog.items():
        payer = land.registers[land.payer(rid)]
        assert payer.houder == UITVOERDER[regeling.uitvoerder], rid


def test_the_registers_pay_what_their_holders_execute(land):
    assert land.registers["toeslagen"].regelingen() == [
        "zorgtoeslag", "huurtoeslag", "kindgebonden_budget",
    ]  # fmt: skip
    assert land.registers["svb"].regelingen() == ["aow", "aio", "kinderbijslag"]
    assert land.payer("ww") == "polis" and land.registers["polis"].houder == "uwv"
    assert land.payer("aanvullende_beurs") == "duo"
    assert land.registers["verhuurders"].regelingen() == []


def test_registration_lags_follow_the_law_or_say_they_are_assumptions(land):
    lag = {rid: reg.vertraging for rid, reg in land.registers.items()}
    assert lag["brp"].maanden == 0 and "2.39" in lag["brp"].bron
    assert lag["polis"].maanden == 1 and not lag["polis"].na_jaar
    assert lag["belastingdienst"].maanden == 6 and lag["belastingdienst"].na_jaar
    for rid, v in lag.items():
        assert "art." in v.bron or "Aanname" in v.bron or "aanname" in v.bron, rid


def test_every_register_cites_a_law_on_wetten_overheid_nl(land):
    for rid, reg in land.registers.items():
        g = reg.grondslag
        assert g.bwbr and g.link.startswith(f"https://wetten.overheid.nl/{g.bwbr}"), rid
        assert land.organisaties[reg.houder]


def test_unknown_names_are_errors_with_a_suggestion(land):
    with pytest.raises(
        LandscapeError,
        match=r"unknown column 'aanvrager_inkomn' \(did you mean 'aanvrager_inkomen'\?\)",
    ):
        land.column_source("aanvrager_inkomn")
    with pytest.raises(LandscapeError, match="time column or unit id"):
        land.column_source("peildatum")
    with pytest.raises(
        LandscapeError, match=r"unknown register 'polls' \(did you mean 'polis'\?\); known: brp"
    ):
        land.check_register("polls")
    with pytest.raises(LandscapeError, match=r"did you mean 'uwv'"):
        land.check_organisation("uvw")
    with pytest.raises(
        LandscapeError,
        match=r"no register pays regeling 'zorgtoeslagg' \(did you mean 'zorgtoeslag'",
    ):
        land.payer("zorgtoeslagg")
    with pytest.raises(
        LandscapeError, match=r"attribute of register 'polis' 'lon' \(did you mean 'loon'"
    ):
        land.attribute_columns("polis", "lon")


def test_a_yaml_syntax_error_names_the_line(tmp_path):
    path = tmp_path / "registers.yaml"
    path.write_text("organisaties:\n  svb: {naam: SVB\nregisters: {}\n", encoding="utf-8")
    message = load_error(path)
    assert "line 3" in message and "YAML syntax error" in message


def test_an_unknown_field_names_the_field_and_what_is_allowed(tmp_path):
    data = raw()
    data["registers"]["brp"]["attributen"]["adres"]["kolomen"] = ["gemeente_code"]
    message = load_error(write(tmp_path, data))
    assert "registers.brp.attributen.adres" in message
    assert "unknown field 'kolomen' (did you mean 'kolommen'?)" in message
    assert "allowed: omschrijving, kolommen, regelingen" in message


def test_an_unknown_column_is_an_error_with_a_suggestion(tmp_path):
    data = raw()
    data["registers"]["brp"]["attributen"]["geboortedatum"]["kolommen"].append("geboortedatun")
    message = load_error(write(tmp_path, data))
    assert "registers.brp.attributen.geboortedatum.kolommen" in message
    assert "unknown column 'geboortedatun' (did you mean 'geboortedatum'?)" in message


def test_an_unknown_holder_is_an_error_with_a_suggestion(tmp_path):
    data = raw()
    data["registers"]["polis"]["houder"] = "uvw"
    message = load_error(write(tmp_path, data))
    assert "registers.polis.houder: unknown organisation 'uvw' (did you mean 'uwv'?)" in message


def test_a_column_listed_twice_or_a_regeling_paid_twice_is_an_error(tmp_path):
    data = raw()
    data["registers"]["polis"]["attributen"]["loon"]["kolommen"].append("inkomen")
    assert (
        "column 'inkomen' is already listed under belastingdienst.toetsingsinkomen"
        in load_error(write(tmp_path, data))
    )
    data = raw()
    data["registers"]["gemeente"]["attributen"]["uitkeringen"]["regelingen"].append("aow")
    assert "regeling 'aow' is already paid by register 'svb'" in load_error(write(tmp_path, data))


def test_an_unknown_regeling_or_a_bad_value_is_an_error(tmp_path):
    data = raw()
    data["registers"]["svb"]["attributen"]["uitkeringen"]["regelingen"].append("aow2")
    assert "unknown regeling 'aow2' (did you mean 'aow'?)" in load_error(write(tmp_path, data))
    data = raw()
    data["registers"]["brp"]["grondslag"]["artikel"] = 1.2
    message = load_error(write(tmp_path, data))
    assert "registers.brp.grondslag.artikel" in message and "1.2" in message
    data = raw()
    del data["registers"]["brp"]["vertraging"]
    assert "registers.brp.vertraging: required field is missing" in load_error(
        write(tmp_path, data)
    )


def test_a_missing_file_is_an_error(tmp_path):
    with pytest.raises(LandscapeError, match="file not found"):
        load_landscape(tmp_path / "nope.yaml")
