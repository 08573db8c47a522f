"""The access policy: who may read what for which purpose, and on what legal basis."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from sandbox.errors import LandscapeError
from sandbox.landscape import Decision, Policy, load_landscape, load_policy
from sandbox.landscape.registers import DATA_DIR
from sandbox.rules import load_catalog

TOEGANG = DATA_DIR / "toegang.yaml"
PD = "proactieve_dienstverlening"
WPD = "wpd_gegevensdeling"


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy()


def raw() -> dict:
    # a JSON round trip unshares the mappings that YAML anchors make several rules share
    return json.loads(json.dumps(yaml.safe_load(TOEGANG.read_text(encoding="utf-8"))))


def write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "toegang.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def load_error(path: Path) -> str:
    with pytest.raises(LandscapeError) as info:
        load_policy(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.split(": ")[0].endswith("toegang.yaml")
    return message


def one(policy: Policy, org: str, doel: str, register: str, attr: str, amvb=()) -> Decision:
    [decision] = policy.check(org, doel, register, [attr], amvb)
    return decision


def test_svb_may_read_its_own_administration_for_proactive_service(policy):
    d = one(policy, "svb", PD, "svb", "aow_opbouwjaren")
    assert d.toegestaan and d.reden == ""
    assert "eigen administratie" in d.grondslag and "36799" in d.grondslag


def test_toeslagen_reading_polis_needs_the_amvb_the_scenario_must_declare(policy):
    denied = one(policy, "dienst_toeslagen", PD, "polis", "arbeidsstatus")
    assert not denied.toegestaan and denied.grondslag == ""
    assert "vereist AMvB 'wpd_gegevensdeling'" in denied.reden
    assert "dienst_toeslagen mag polis.arbeidsstatus niet lezen" in denied.reden
    assert "\n" not in denied.reden
    allowed = one(policy, "dienst_toeslagen", PD, "polis", "arbeidsstatus", amvb=[WPD])
    assert allowed.toegestaan and "wpd_gegevensdeling" in allowed.grondslag


def test_nobody_may_read_a_landlords_administration_for_proactive_service(policy):
    for org in policy.landscape.organisaties:
        for attr in ("kale_huur", "servicekosten"):
            d = one(policy, org, PD, "verhuurders", attr, amvb=[WPD])
            assert not d.toegestaan
            assert "geen grondslag" in d.reden and "verhuurders" in d.reden


def test_toeslagen_may_use_income_data_to_execute_its_regelingen(policy):
    decisions = policy.check("dienst_toeslagen", "uitvoering", "belastingdienst",
                             ["toetsingsinkomen", "vermogen"])  # fmt: skip
    assert [d.toegestaan for d in decisions] == [True, True]
    assert all("39 lid 1" in d.grondslag for d in decisions)


def test_svb_reaching_aow_age_people_for_aio_needs_the_amvb_for_tax_data(policy):
    assert one(policy, "svb", PD, "brp", "geboortedatum").toegestaan
    assert one(policy, "svb", PD, "svb", "uitkeringen").toegestaan
    for attr in ("toetsingsinkomen", "vermogen"):
        assert not one(policy, "svb", PD, "belastingdienst", attr).toegestaan
        assert one(policy, "svb", PD, "belastingdienst", attr, amvb=[WPD]).toegestaan


def test_the_wpd_bodies_read_the_brp_and_their_own_register_without_an_amvb(policy):
    own = {"svb": "svb", "uwv": "polis", "gemeente": "gemeente"}
    for org, register in own.items():
        attrs = list(policy.landscape.registers[register].attributen)
        assert all(d.toegestaan for d in policy.check(org, PD, register, attrs))
        assert one(policy, org, PD, "brp", "adres").toegestaan
        for other in set(own.values()) - {register}:
            assert not any(d.toegestaan for d in policy.check(org, PD, other, ["uitkeringen"]))
    assert one(policy, "dienst_toeslagen", PD, "brp", "kinderen").toegestaan
    assert one(policy, "dienst_toeslagen", PD, "toeslagen", "uitkeringen").toegestaan


def test_vroegsignalering_uses_brp_and_the_gemeentes_own_register_only(policy):
    assert one(policy, "gemeente", "vroegsignalering", "brp", "bewoners").toegestaan
    assert one(policy, "gemeente", "vroegsignalering", "gemeente", "uitkeringen").toegestaan
    assert not one(policy, "gemeente", "vroegsignalering", "polis", "loon", amvb=[WPD]).toegestaan
    assert not one(policy, "svb", "vroegsignalering", "brp", "adres").toegestaan


def test_every_uitvoerder_may_read_what_its_regelingen_need():
    land = load_landscape()
    policy = load_policy(landscape=land)
    for rid, regeling in load_catalog().items():
        org = land.registers[land.payer(rid)].houder
        for item in regeling.inputs:
            register, attr = land.column_source(item.kolom)
            d = one(policy, org, "uitvoering", register, attr)
            assert d.toegestaan, f"{rid}: {d.reden}"


def test_every_rule_cites_law_article_and_link(policy):
    hosts = ("https://wetten.overheid.nl/", "https://www.tweedekamer.nl/kamerstukken/")
    rows = policy.rules_table()
    assert len(rows) == len(policy.regels)
    for row, rule in zip(rows, policy.regels, strict=True):
        g = rule.grondslag
        assert g.wet and g.artikel and g.link.startswith(hosts), row
        assert g.bwbr is None or g.link.startswith(f"https://wetten.overheid.nl/{g.bwbr}")
        if g.artikel == "n.t.b.":
            assert "UNVERIFIED" in (g.toelichting or ""), row
    assert set(rows[0]) == {
        "organisatie", "doel", "register", "attributen", "vereist_amvb", "grondslag", "link",
        "toelichting",
    }  # fmt: skip


def test_unknown_names_in_a_check_are_errors_with_a_suggestion(policy):
    with pytest.raises(LandscapeError, match=r"did you mean 'proactieve_dienstverlening'"):
        policy.check("svb", "proactieve_dienstverlenin", "svb", ["uitkeringen"])
    with pytest.raises(LandscapeError, match=r"unknown organisation 'sbv' \(did you mean 'svb'"):
        policy.check("sbv", PD, "svb", ["uitkeringen"])
    with pytest.raises(LandscapeError, match=r"unknown register 'polls'"):
        policy.check("svb", PD, "polls", ["loon"])
    with pytest.raises(LandscapeError, match=r"attribute of register 'polis' 'lon'"):
        policy.check("svb", PD, "polis", ["lon"])
    with pytest.raises(
        LandscapeError, match=r"unknown AMvB 'wpd' \(did you mean 'wpd_gegevensdeling'"
    ):
        policy.check_amvb("wpd")


def test_a_yaml_syntax_error_names_the_line(tmp_path):
    path = tmp_path / "toegang.yaml"
    path.write_text("doelen:\n  uitvoering: [a\nregels: []\n", encoding="utf-8")
    message = load_error(path)
    assert "line 3" in message and "YAML syntax error" in message


def test_an_unknown_field_names_the_rule_and_what_is_allowed(tmp_path):
    data = raw()
    data["regels"][2]["grondslag"]["wett"] = "x"
    message = load_error(write(tmp_path, data))
    assert "regels[2].grondslag: unknown field 'wett' (did you mean 'wet'?)" in message
    assert "allowed: wet, artikel, link" in message


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        (
            "register",
            "polls",
            "regels[4].register: unknown register 'polls' (did you mean 'polis'?)",
        ),
        (
            "organisatie",
            "uvw",
            "regels[4].organisatie: unknown organisation 'uvw' (did you mean 'uwv'?)",
        ),
        ("attributen", ["lon"], "regels[4].attributen: unknown attribute of register 'brp' 'lon'"),
        ("doel", "uitvoerin", "regels[4].doel: unknown purpose (doel) 'uitvoerin' (did you mean"),
        ("vereist_amvb", "wpd", "regels[4].vereist_amvb: unknown AMvB 'wpd' (did you mean"),
    ],
)
def test_a_rule_naming_something_unknown_is_an_error_naming_rule_and_field(
    tmp_path, field, value, expected
):
    data = raw()
    assert data["regels"][4]["register"] == "brp"
    data["regels"][4][field] = value
    assert expected in load_error(write(tmp_path, data))


def test_a_repeated_rule_or_an_unquoted_article_is_an_error(tmp_path):
    data = raw()
    data["regels"].append(dict(data["regels"][0]))
    assert f"regels[{len(data['regels']) - 1}]: repeats regels[0]" in load_error(
        write(tmp_path, data)
    )
    data = raw()
    data["regels"][3]["grondslag"]["artikel"] = 3.2
    message = load_error(write(tmp_path, data))
    assert "regels[3].grondslag.artikel" in message and "3.2" in message


def test_attributes_that_are_neither_a_star_nor_a_list_get_one_message(tmp_path):
    data = raw()
    data["regels"][1]["attributen"] = 5
    message = load_error(write(tmp_path, data))
    assert "regels[1].attributen: Input should be '*' or Input should be a valid list" in message
