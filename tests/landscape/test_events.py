"""Life events and the registers that record them."""

from __future__ import annotations

from sandbox.dataset import EVENT_TYPES
from sandbox.landscape import EVENT_REGISTER, load_landscape


def test_every_event_type_of_the_dataset_contract_has_exactly_one_register():
    assert sorted(EVENT_REGISTER) == sorted(EVENT_TYPES)


def test_every_event_names_a_real_register_attribute():
    land = load_landscape()
    for event, (register, attribute) in EVENT_REGISTER.items():
        assert register in land.registers, event
        assert attribute in land.registers[register].attributen, event
        land.check_attribute(register, attribute)


def test_job_events_come_from_the_polis_and_income_changes_after_the_year():
    land = load_landscape()
    assert EVENT_REGISTER["baanverlies"][0] == "polis"
    assert land.registers["polis"].vertraging.maanden >= 1
    register, _ = EVENT_REGISTER["inkomenswijziging"]
    assert land.registers[register].vertraging.na_jaar
