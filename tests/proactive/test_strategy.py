"""Strategies as data: the shipped examples load; every bad input is one actionable line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from sandbox.errors import StrategyError
from sandbox.landscape import load_landscape
from sandbox.proactive import (
    list_strategies,
    load_strategy,
    planned_reads,
    simulate,
    strategies_dir,
)

BASE = "achttien-zorgtoeslag"


def base() -> dict:
    """The raw mapping of a valid example strategy, to spoil one field at a time."""
    return yaml.safe_load((strategies_dir() / f"{BASE}.yaml").read_text(encoding="utf-8"))


def write(tmp_path: Path, raw: dict | None = None, text: str | None = None) -> Path:
    path = tmp_path / "strategie.yaml"
    path.write_text(text if text is not None else yaml.safe_dump(raw, allow_unicode=True))
    return path


def spoil(**changes) -> dict:
    raw = base()
    for key, value in changes.items():
        if "." in key:
            outer, inner = key.split(".")
            raw[outer][inner] = value
        else:
            raw[key] = value
    return raw


@pytest.fixture(scope="module")
def reads(prepared) -> Callable[[Path], dict]:
    """The register reads a strategy file plans, against the regelingen of 'klein'."""
    land = load_landscape()
    return lambda path: planned_reads(load_strategy(path), prepared.regelingen, land)


def one_line(call: Callable[[], object]) -> str:
    with pytest.raises(StrategyError) as info:
        call()
    message = str(info.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize("name", list_strategies())
def test_every_shipped_example_loads_and_declares_what_it_reads(name, prepared):
    strategy = load_strategy(name)
    assert strategy.id == name
    planned = planned_reads(strategy, prepared.regelingen, load_landscape())
    assert set(planned) <= set(strategy.leest)
    assert strategy.reactive == (planned == {})


def test_the_examples_are_the_yaml_files_next_to_the_module():
    names = sorted(p.stem for p in strategies_dir().glob("*.yaml"))
    assert list_strategies() == names
    assert {"reactief", "achttien-zorgtoeslag", "baanverlies-toeslagen"} <= set(names)


def test_settings_change_fields_with_yaml_values():
    strategy = load_strategy(
        BASE, ["kanaal=telefoon", "beslissing.drempel=0.3", "amvb=[wpd_gegevensdeling]"]
    )
    assert strategy.kanaal == "telefoon"
    assert strategy.beslissing.drempel == 0.3
    assert strategy.amvb == ["wpd_gegevensdeling"]


def test_an_unknown_regeling_is_named_with_a_did_you_mean(prepared, tmp_path):
    path = write(tmp_path, spoil(regelingen=["zorgtoeslg"]))
    message = one_line(lambda: simulate(prepared, load_strategy(path)))
    assert "unknown regeling 'zorgtoeslg'" in message
    assert "did you mean 'zorgtoeslag'" in message


def test_an_unknown_register_in_leest_is_named(tmp_path, reads):
    path = write(tmp_path, spoil(leest=["brp", "belastingdiesnt", "toeslagen"]))
    message = one_line(lambda: reads(path))
    assert "leest" in message and "'belastingdiesnt'" in message
    assert "did you mean 'belastingdienst'" in message


def test_an_unknown_trigger_event_is_named(tmp_path):
    path = write(tmp_path, spoil(**{"trigger.gebeurtenissen": ["achtien_jaar"]}))
    message = one_line(lambda: load_strategy(path))
    assert "trigger.gebeurtenissen" in message and "'achtien_jaar'" in message
    assert "did you mean 'achttien_jaar'" in message and str(path) in message


def test_an_unknown_channel_is_named_with_the_known_ones(prepared, tmp_path):
    path = write(tmp_path, spoil(kanaal="fax"))
    message = one_line(lambda: simulate(prepared, load_strategy(path)))
    assert "unknown kanaal 'fax'" in message
    assert "brief" in message and "telefoon" in message


def test_a_register_read_but_not_declared_in_leest_is_named(tmp_path, reads):
    path = write(tmp_path, spoil(leest=["brp", "toeslagen", "zorgverzekeraars"]))
    message = one_line(lambda: reads(path))
    assert "reads belastingdienst" in message
    assert "add 'belastingdienst' to leest" in message


def test_an_unknown_field_is_named_with_the_allowed_ones(tmp_path):
    path = write(tmp_path, spoil(kanal="brief"))
    message = one_line(lambda: load_strategy(path))
    assert str(path) in message and "kanal: unknown field" in message
    assert "kanaal" in message.split("allowed:")[1]


def test_malformed_yaml_gives_the_line_and_column(tmp_path):
    path = write(tmp_path, text="id: x\nnaam: [a, b\nregelingen: [zorgtoeslag]\n")
    message = one_line(lambda: load_strategy(path))
    assert str(path) in message and "line 3, column" in message


def test_a_missing_file_is_named(tmp_path):
    path = tmp_path / "bestaat-niet.yaml"
    message = one_line(lambda: load_strategy(path))
    assert str(path) in message and "not found" in message


def test_an_unknown_example_name_gets_a_did_you_mean():
    message = one_line(lambda: load_strategy("achtien-zorgtoeslag"))
    assert "did you mean 'achttien-zorgtoeslag'" in message


def test_a_setting_with_an_unknown_key_lists_the_valid_keys():
    message = one_line(lambda: load_strategy(BASE, ["kanal=telefoon"]))
    assert "--set kanal" in message and "did you mean 'kanaal'" in message
    valid = message.split("valid:")[1]
    assert "kanaal" in valid and "beslissing.drempel" in valid and "trigger.filter" in valid


def test_a_setting_without_an_equals_sign_shows_the_form():
    message = one_line(lambda: load_strategy(BASE, ["kanaal"]))
    assert "'kanaal'" in message and "key=value" in message


def test_a_trigger_of_two_kinds_at_once_is_refused(tmp_path):
    path = write(tmp_path, spoil(**{"trigger.periodiek_maanden": 3}))
    message = one_line(lambda: load_strategy(path))
    assert "trigger" in message and "exactly one of" in message


def test_a_model_decision_needs_a_model_path(tmp_path):
    path = write(tmp_path, spoil(beslissing={"soort": "model"}))
    message = one_line(lambda: load_strategy(path))
    assert "beslissing" in message and "needs 'model'" in message


def test_a_filter_on_an_unknown_column_is_named(tmp_path, reads):
    path = write(tmp_path, spoil(**{"trigger.filter": "aow_opbouwjaar < 50"}))
    message = one_line(lambda: reads(path))
    assert "trigger.filter" in message and "'aow_opbouwjaar'" in message
    assert "did you mean 'aow_opbouwjaren'" in message


def test_a_filter_with_a_syntax_error_is_a_strategy_error(tmp_path, reads):
    path = write(tmp_path, spoil(**{"trigger.filter": "aow_opbouwjaren < 50 AND ("}))
    message = one_line(lambda: reads(path))
    assert "trigger.filter" in message


def test_a_negative_delay_is_refused(tmp_path):
    path = write(tmp_path, spoil(vertraging_dagen=-3))
    message = one_line(lambda: load_strategy(path))
    assert "vertraging_dagen" in message and "greater than or equal to 0" in message
