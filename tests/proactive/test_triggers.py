"""Register signals and periodic scans as triggers, next to life events."""

from __future__ import annotations

import pandas as pd
import yaml

from sandbox.proactive import load_strategy, simulate


def _strategy(tmp_path, trigger: dict, **extra):
    spec = {
        "id": "proef",
        "naam": "proef",
        "organisatie": "uwv",
        "trigger": trigger,
        "vertraging_dagen": 0,
        "regelingen": ["ww"],
        "leest": ["polis", "brp"],
        "beslissing": {"soort": "iedereen", "bestaande_gebruikers_uitsluiten": False},
        "kanaal": "brief",
        **extra,
    }
    path = tmp_path / "proef.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    return load_strategy(path)


def test_a_signal_fires_in_the_month_it_turns_true_in_the_register(prepared, tmp_path):
    strategy = _strategy(tmp_path, {"signaal": "arbeidsstatus = 'werkloos'"})
    outcome = simulate(prepared, strategy, keep_observed=True)
    contacts = outcome.contacts
    assert len(contacts) > 0
    seen = prepared.con.execute(
        "SELECT person_id, peildatum, arbeidsstatus = 'werkloos' AS aan FROM obs_persoon"
    ).df()
    seen["peildatum"] = pd.to_datetime(seen["peildatum"])
    now = seen.set_index(["person_id", "peildatum"])["aan"].sort_index()
    for row in contacts.itertuples():
        month = pd.Timestamp(row.maand)
        before = month - pd.DateOffset(months=1)
        assert now.loc[(row.person_id, month)]
        assert not now.loc[(row.person_id, before)]
    # nobody is triggered in the first month: there is no earlier month to turn from
    assert contacts["maand"].min() > pd.Timestamp(prepared.months[0])
    assert outcome.audit_summary["violations"] == 0


def test_a_periodic_scan_looks_at_every_adult_in_the_scan_months_only(prepared, tmp_path):
    # the AOW has parameters for both years (WW only for 2025); the SVB reads its own data
    strategy = _strategy(
        tmp_path,
        {"periodiek_maanden": 12, "filter": "leeftijd BETWEEN 30 AND 31"},
        organisatie="svb",
        regelingen=["aow"],
        leest=["svb", "brp"],
    )
    outcome = simulate(prepared, strategy, keep_observed=True)
    months = set(pd.to_datetime(outcome.contacts["maand"]).dt.strftime("%Y-%m"))
    assert months == {"2025-01", "2026-01"}
    expected = prepared.con.execute(
        "SELECT count(*) FROM obs_persoon WHERE peildatum = DATE '2025-01-01' "
        "AND leeftijd BETWEEN 30 AND 31"
    ).fetchall()[0][0]
    first = outcome.contacts[outcome.contacts["maand"] == pd.Timestamp("2025-01-01")]
    assert len(first) == expected


def test_the_view_of_the_triggered_households_equals_the_full_view(prepared):
    """Event triggers only assemble the households of the triggered persons; same rows."""
    from sandbox.landscape import load_defects, load_landscape, observe

    con, land, defects = prepared.con, load_landscape(), load_defects()
    persons = con.execute(
        "SELECT DISTINCT person_id FROM events WHERE soort = 'geboorte' ORDER BY 1 LIMIT 200"
    ).fetchnumpy()["person_id"]
    observe(con, land, defects, prepared.months, 1)
    con.execute("CREATE OR REPLACE TEMP TABLE _vol_h AS SELECT * FROM obs_huishouden")
    con.execute("CREATE OR REPLACE TEMP TABLE _vol_p AS SELECT * FROM obs_persoon")
    observe(con, land, defects, prepared.months, 1, persons)
    part = con.execute("SELECT count(*) FROM obs_huishouden").fetchall()[0][0]
    full = con.execute("SELECT count(*) FROM _vol_h").fetchall()[0][0]
    assert 0 < part < full / 10
    for table, full_table, key in (
        ("obs_huishouden", "_vol_h", "household_id"),
        ("obs_persoon", "_vol_p", "person_id"),
    ):
        differ = con.execute(
            f"""
            SELECT count(*) FROM (
                (SELECT * FROM {table}
                 EXCEPT ALL
                 SELECT * FROM {full_table} WHERE {key} IN (SELECT {key} FROM {table}))
                UNION ALL
                (SELECT * FROM {full_table}
                 WHERE ({key}, peildatum) IN (SELECT ({key}, peildatum) FROM {table})
                 EXCEPT ALL SELECT * FROM {table}))
            """
        ).fetchall()[0][0]
        assert differ == 0, table
    born = con.execute(
        "SELECT count(DISTINCT person_id) FROM obs_persoon "
        "WHERE person_id IN (SELECT unnest(?::BIGINT[]))",
        [persons.tolist()],
    ).fetchall()[0][0]
    assert born == len(persons)
