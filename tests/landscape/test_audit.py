"""The audit log: every read is recorded; strict mode stops at the first read without basis."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from sandbox.errors import AccessDeniedError, LandscapeError
from sandbox.landscape import AUDIT_COLUMNS, AuditLog, Policy, load_policy

PD = "proactieve_dienstverlening"
JAN, FEB, MAR = (dt.date(2025, m, 1) for m in (1, 2, 3))


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy()


def test_strict_mode_records_the_denied_read_and_then_stops(policy):
    log = AuditLog(policy, "dienst_toeslagen", PD)
    decisions = log.read("toeslagen", ["uitkeringen"], rows=500, month=JAN)
    assert [d.toegestaan for d in decisions] == [True]
    with pytest.raises(AccessDeniedError) as info:
        log.read("polis", ["loon", "arbeidsstatus"], rows=120, month=MAR)
    message = str(info.value)
    assert "\n" not in message
    assert "dienst_toeslagen mag polis.loon niet lezen" in message
    assert "wpd_gegevensdeling" in message and "2025-03" in message
    frame = log.frame()
    assert len(frame) == 3 and log.violations == 2
    assert frame["toegestaan"].tolist() == [True, False, False]
    assert frame["rijen"].tolist() == [500, 120, 120]
    assert isinstance(info.value, LandscapeError)


def test_declaring_the_amvb_makes_the_same_read_lawful(policy):
    log = AuditLog(policy, "dienst_toeslagen", PD, amvb=["wpd_gegevensdeling"])
    decisions = log.read("polis", ["loon", "arbeidsstatus"], rows=120, month=MAR)
    assert all(d.toegestaan for d in decisions)
    assert log.violations == 0
    assert log.frame()["grondslag"].str.contains("wpd_gegevensdeling").all()


def test_audit_mode_counts_violations_and_goes_on(policy):
    log = AuditLog(policy, "svb", PD, mode="audit")
    log.read("svb", ["aow_opbouwjaren", "uitkeringen"], rows=1000, month=JAN)
    log.read("brp", ["geboortedatum"], rows=1000, month=JAN)
    denied = log.read("belastingdienst", ["vermogen"], rows=40, month=FEB)
    log.read("verhuurders", ["kale_huur"], rows=40, month=FEB)
    assert not denied[0].toegestaan and "vereist AMvB" in denied[0].reden
    assert log.violations == 2
    frame = log.frame()
    assert list(frame.columns) == list(AUDIT_COLUMNS)
    assert len(frame) == 5
    assert frame.loc[~frame["toegestaan"], "grondslag"].eq("").all()
    assert frame.loc[frame["toegestaan"], "reden"].eq("").all()
    assert (frame["organisatie"] == "svb").all() and (frame["doel"] == PD).all()
    assert frame["maand"].tolist() == [pd.Timestamp(JAN)] * 3 + [pd.Timestamp(FEB)] * 2
    assert log.summary() == {
        "reads": 5,
        "registers": ["belastingdienst", "brp", "svb", "verhuurders"],
        "attributen": [
            "belastingdienst.vermogen", "brp.geboortedatum", "svb.aow_opbouwjaren",
            "svb.uitkeringen", "verhuurders.kale_huur",
        ],
        "violations": 2,
    }  # fmt: skip


def test_the_frame_has_the_same_columns_and_dtypes_when_empty(policy):
    empty = AuditLog(policy, "uwv", PD).frame()
    full = AuditLog(policy, "uwv", PD)
    full.read("polis", ["loon"], rows=3, month=JAN)
    assert list(empty.columns) == list(AUDIT_COLUMNS) and len(empty) == 0
    assert empty.dtypes.to_dict() == full.frame().dtypes.to_dict()
    assert str(empty["maand"].dtype) == "datetime64[ns]"
    assert str(empty["rijen"].dtype) == "int64" and str(empty["toegestaan"].dtype) == "bool"
    assert AuditLog(policy, "uwv", PD).summary() == {
        "reads": 0, "registers": [], "attributen": [], "violations": 0,
    }  # fmt: skip


def test_unknown_organisation_purpose_amvb_or_mode_is_an_error(policy):
    with pytest.raises(LandscapeError, match=r"did you mean 'gemeente'"):
        AuditLog(policy, "gemente", PD)
    with pytest.raises(LandscapeError, match=r"did you mean 'vroegsignalering'"):
        AuditLog(policy, "gemeente", "vroegsignalerin")
    with pytest.raises(LandscapeError, match=r"unknown AMvB 'wpd_gegevens'"):
        AuditLog(policy, "gemeente", PD, amvb=["wpd_gegevens"])
    with pytest.raises(LandscapeError, match="unknown audit mode 'loose'"):
        AuditLog(policy, "gemeente", PD, mode="loose")


def test_an_unknown_register_in_a_read_is_an_error_and_nothing_is_recorded(policy):
    log = AuditLog(policy, "gemeente", "vroegsignalering", mode="audit")
    with pytest.raises(LandscapeError, match=r"did you mean 'gemeente'"):
        log.read("gemente", ["uitkeringen"], rows=1, month=JAN)
    assert log.summary()["reads"] == 0
