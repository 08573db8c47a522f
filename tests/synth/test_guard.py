"""The release guard refuses copies and recurring identities, and passes a genuine sample."""

from __future__ import annotations

import pandas as pd
import pytest

from sandbox.dataset import dataset_path
from sandbox.errors import ReleaseBlockedError
from sandbox.synth import check_release, read_source, release
from sandbox.synth.report import start_state


def _start(sampled):
    hh, p = start_state(sampled.households, sampled.persons, sampled.peildatum)
    return hh.copy(), p.copy()


def test_a_genuine_sample_passes_the_guard(sampled, source_dataset):
    source = read_source(source_dataset)
    hh, p = _start(sampled)
    findings = check_release((hh, p), (source.households, source.persons))
    assert findings.passed and findings.households_checked == len(hh)
    # Independently: no BSN of the source occurs in the sample.
    assert not set(sampled.persons["bsn"]) & set(source.persons["bsn"])
    assert sampled.guard.passed


def _copy_single(hh, p, source):
    """Make one synthetic single-person household a copy of a source one, on the QIs only."""
    src_p = source.persons
    sizes = src_p.groupby("household_id").size()
    target = source.households[source.households["household_id"].isin(sizes.index[sizes == 1])]
    src_row = target.iloc[0]
    src_person = src_p[src_p["household_id"] == src_row["household_id"]].iloc[0]
    syn_sizes = p.groupby("household_id").size()
    mine = hh.index[hh["household_id"].isin(syn_sizes.index[syn_sizes == 1])][0]
    hid = hh.loc[mine, "household_id"]
    for col in ("gemeente_code", "huishoudtype", "woonsituatie"):
        hh.loc[mine, col] = src_row[col]
    person = p.index[p["household_id"] == hid][0]
    for col in ("rol", "geboortedatum", "geslacht", "inkomen"):
        p.loc[person, col] = src_person[col]
    return hh, p


def test_a_household_copied_on_the_quasi_identifiers_is_found(sampled, source_dataset):
    source = read_source(source_dataset)
    hh, p = _copy_single(*_start(sampled), source)
    findings = check_release((hh, p), (source.households, source.persons))
    assert findings.copied_households == 1 and not findings.passed
    assert findings.bsn_overlap == 0 and findings.identity_overlap == 0


def test_a_source_bsn_or_identity_in_the_sample_is_found(sampled, source_dataset):
    source = read_source(source_dataset)
    hh, p = _start(sampled)
    p.loc[p.index[5], "bsn"] = source.persons["bsn"].iloc[17]
    # Someone with a source person's name and birth date at that person's address.
    who = source.persons.iloc[40]
    where = source.households.set_index("household_id").loc[who["household_id"]]
    row = p.index[10]
    for col in ("voornaam", "tussenvoegsel", "achternaam", "geboortedatum"):
        p.loc[row, col] = who[col]
    host = hh.index[hh["household_id"] == p.loc[row, "household_id"]][0]
    for col in ("straat", "huisnummer", "postcode", "woonplaats"):
        hh.loc[host, col] = where[col]
    findings = check_release((hh, p), (source.households, source.persons))
    assert findings.bsn_overlap == 1
    assert findings.identity_overlap == 1
    assert not findings.passed


def test_a_refused_release_writes_nothing(sampled, synthesizer, source_dataset):
    source = read_source(source_dataset)
    hh, p = _copy_single(*_start(sampled), source)
    findings = check_release((hh, p), (source.households, source.persons))
    blocked = type(sampled)(**{**sampled.__dict__, "guard": findings})
    with pytest.raises(ReleaseBlockedError, match="refused and not written"):
        release("geweigerd", blocked, synthesizer, seed=11)
    assert not dataset_path("geweigerd").exists()
    assert not any(dataset_path("geweigerd").parent.glob(".geweigerd*"))


def test_the_guard_findings_name_the_rule(sampled):
    data = sampled.guard.to_dict()
    assert data["passed"] is True
    assert data["quasi_identifiers"]["per lid"] == ["rol", "geboortedatum", "geslacht"]
    assert isinstance(pd.Series(data["examples"], dtype=object), pd.Series)
