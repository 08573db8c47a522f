"""The unit frames rules are written against: one row per person or household per month.

The frames are built in DuckDB from a population's three tables: the state at the start plus
the events, replayed to the first day of every month (the right to a regeling is determined
per calendar month; the state on the first day counts). A regeling's expressions may use the
columns listed here, its own parameters and its own earlier calculations.
"""

from __future__ import annotations

import datetime as dt

import duckdb

__all__ = [
    "HOUSEHOLD_COLUMNS",
    "assemble_frames",
    "PERSON_COLUMNS",
    "TIME_COLUMNS",
    "build_frames",
    "columns_for",
    "install_macros",
    "month_starts",
]

TIME_COLUMNS = {
    "peildatum": ("DATE", "eerste dag van de maand waarover het recht wordt bepaald"),
    "jaar": ("INTEGER", "kalenderjaar van de peildatum"),
}
_MEMBER = {
    "geboortedatum": ("DATE", "geboortedatum"),
    "leeftijd": ("INTEGER", "leeftijd in hele jaren op de peildatum"),
    "arbeidsstatus": ("VARCHAR", "arbeidsstatus op de peildatum"),
    "inkomen": ("DOUBLE", "toetsingsinkomen over het kalenderjaar van de peildatum"),
    "inkomen_maand": ("DOUBLE", "bruto inkomen in de maand (jaarbedrag op de peildatum / 12)"),
    "vermogen": ("DOUBLE", "vermogen (rendementsgrondslag) op 1 januari"),
    "zorgverzekerd": ("BOOLEAN", "verzekerd voor de Zorgverzekeringswet"),
    "aow_opbouwjaren": ("INTEGER", "verzekerde jaren voor de AOW (0-50)"),
}
_HOUSING = {
    "household_id": ("BIGINT", "huishouden"),
    "gemeente_code": ("VARCHAR", "CBS-code van de woongemeente"),
    "woonsituatie": ("VARCHAR", "huur_sociaal, huur_vrij, koop of inwonend"),
    "kale_huur": ("DOUBLE", "kale huur per maand"),
    "servicekosten": ("DOUBLE", "servicekosten per maand"),
    "woz_waarde": ("DOUBLE", "WOZ-waarde van de eigen woning"),
    "aantal_personen": ("INTEGER", "aantal bewoners (hoofdverblijf)"),
}
HOUSEHOLD_COLUMNS: dict[str, tuple[str, str]] = {
    **TIME_COLUMNS,
    **_HOUSING,
    "aanvrager_id": ("BIGINT", "person_id van de aanvrager"),
    **{f"aanvrager_{k}": (t, f"aanvrager: {d}") for k, (t, d) in _MEMBER.items()},
    "heeft_partner": ("BOOLEAN", "de aanvrager heeft een (toeslag)partner in het huishouden"),
    **{f"partner_{k}": (t, f"partner: {d}") for k, (t, d) in _MEMBER.items()},
    "kinderen": ("INTEGER", "kinderen jonger dan 18 in het huishouden"),
    "kinderen_0_5": ("INTEGER", "kinderen van 0 tot en met 5 jaar"),
    "kinderen_6_11": ("INTEGER", "kinderen van 6 tot en met 11 jaar"),
    "kinderen_12_15": ("INTEGER", "kinderen van 12 tot en met 15 jaar"),
    "kinderen_16_17": ("INTEGER", "kinderen van 16 en 17 jaar"),
    "kinderen_kwartaal_0_5": ("INTEGER", "kinderen 0-5 jaar op de eerste dag van het kwartaal"),
    "kinderen_kwartaal_6_11": ("INTEGER", "kinderen 6-11 jaar op de eerste dag van het kwartaal"),
    "kinderen_kwartaal_12_17": (
        "INTEGER",
        "kinderen 12-17 jaar op de eerste dag van het kwartaal",
    ),
    "jongste_kind_leeftijd": ("INTEGER", "leeftijd van het jongste kind onder 18 (of NULL)"),
    "medebewoners": (
        "STRUCT(leeftijd INTEGER, inkomen DOUBLE)[]",
        "bewoners van 18+ naast aanvrager en partner (leeftijd, toetsingsinkomen)",
    ),
    "personen_18_plus": ("INTEGER", "bewoners van 18 jaar of ouder"),
    "personen_21_plus": ("INTEGER", "bewoners van 21 jaar of ouder"),
    "personen_27_plus": ("INTEGER", "bewoners van 27 jaar of ouder"),
    "oudste_leeftijd": ("INTEGER", "leeftijd van de oudste bewoner"),
}
PERSON_COLUMNS: dict[str, tuple[str, str]] = {
    **TIME_COLUMNS,
    "person_id": ("BIGINT", "persoon"),
    "rol": ("VARCHAR", "aanvrager, partner, kind of overig"),
    "geslacht": ("VARCHAR", "geslacht"),
    **_MEMBER,
    "heeft_partner": ("BOOLEAN", "de persoon heeft een (toeslag)partner in het huishouden"),
    **{f"partner_{k}": (t, f"partner: {d}") for k, (t, d) in _MEMBER.items()},
    **_HOUSING,
    "kinderen": ("INTEGER", "kinderen jonger dan 18 in het huishouden van de persoon"),
    "ouders_inkomen": (
        "DOUBLE",
        "toetsingsinkomen van aanvrager en partner, als de persoon bij hen als kind woont",
    ),
}


def columns_for(eenheid: str) -> dict[str, tuple[str, str]]:
    """The frame columns (type, description) of a unit kind, ``persoon`` or ``huishouden``."""
    return PERSON_COLUMNS if eenheid == "persoon" else HOUSEHOLD_COLUMNS


def month_starts(first: dt.date, last: dt.date) -> list[dt.date]:
    """First days of the months from ``first`` to ``last`` inclusive."""
    out, day = [], first.replace(day=1)
    while day <= last:
        out.append(day)
        day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return out


def install_macros(con: duckdb.DuckDBPyConnection) -> None:
    """Helpers rules may call: ``leeftijd(geboortedatum, datum)`` in completed years."""
    con.execute("CREATE OR REPLACE MACRO leeftijd(g, d) AS date_sub('year', g, d)")
    con.execute("CREATE OR REPLACE MACRO leeftijd_maanden(g, d) AS date_sub('month', g, d)")


def build_frames(con: duckdb.DuckDBPyConnection, months: list[dt.date]) -> None:
    """Create the temp tables ``frame_persoon`` and ``frame_huishouden`` for ``months``.

    The connection must hold views or tables ``persons``, ``households`` and ``events`` with
    the dataset contract's columns.

    Args:
        con: a DuckDB connection with the population registered.
        months: first days of the months to evaluate.
    """
    install_macros(con)
    # Row order inside the frames carries no meaning; letting DuckDB drop it is ~30% faster.
    con.execute("SET preserve_insertion_order = false")
    years = sorted({m.year for m in months})
    all_months = [dt.date(y, m, 1) for y in years for m in range(1, 13)]
    wanted = ", ".join(f"DATE '{m}'" for m in months)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _maanden AS SELECT unnest(?::DATE[]) AS peildatum",
        [all_months],
    )
    # The state each event leaves behind, carried forward per person (last non-null wins).
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _staat AS
        WITH e AS (
            SELECT person_id, datum::DATE AS d, event_id,
                   nieuw_household_id AS hh, rol, arbeidsstatus, inkomen
            FROM events
            WHERE nieuw_household_id IS NOT NULL OR rol IS NOT NULL
               OR arbeidsstatus IS NOT NULL OR inkomen IS NOT NULL
        ), c AS (
            SELECT person_id, d, event_id,
              last_value(hh IGNORE NULLS) OVER w AS hh,
              last_value(rol IGNORE NULLS) OVER w AS rol,
              last_value(arbeidsstatus IGNORE NULLS) OVER w AS arbeidsstatus,
              last_value(inkomen IGNORE NULLS) OVER w AS inkomen
            FROM e
            WINDOW w AS (PARTITION BY person_id ORDER BY d, event_id
                         ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
        )
        SELECT person_id, d, arg_max(hh, event_id) AS hh, arg_max(rol, event_id) AS rol,
               arg_max(arbeidsstatus, event_id) AS arbeidsstatus,
               arg_max(inkomen, event_id) AS inkomen
        FROM c GROUP BY person_id, d
        """
    )
    # Few people have events: expand each state to the months it holds on their first day
    # (an equality join afterwards is far cheaper than an ASOF join over all person-months).
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _staat_maand AS
        WITH i AS (
            SELECT *, coalesce(lead(d) OVER (PARTITION BY person_id ORDER BY d),
                               DATE '9999-12-31') AS tot
            FROM _staat
        )
        SELECT i.person_id, m.peildatum, i.hh, i.rol, i.arbeidsstatus, i.inkomen
        FROM i JOIN _maanden m ON m.peildatum >= i.d AND m.peildatum < i.tot
        """
    )
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _pm AS
        SELECT p.person_id, p.peildatum,
               coalesce(s.hh, p.household_id) AS household_id,
               coalesce(s.rol, p.rol) AS rol,
               coalesce(s.arbeidsstatus, p.arbeidsstatus) AS arbeidsstatus,
               coalesce(s.inkomen, p.inkomen)::DOUBLE AS rate,
               p.geboortedatum::DATE AS geboortedatum, p.geslacht,
               p.vermogen::DOUBLE AS vermogen, p.zorgverzekerd,
               p.aow_opbouwjaren::INTEGER AS aow_opbouwjaren
        FROM (
            SELECT p.*, m.peildatum FROM persons p CROSS JOIN _maanden m
            WHERE p.geboortedatum <= m.peildatum
              AND (p.overlijdensdatum IS NULL OR p.overlijdensdatum > m.peildatum)
        ) p
        LEFT JOIN _staat_maand s ON s.person_id = p.person_id AND s.peildatum = p.peildatum
        """
    )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _ps AS
        WITH jaar AS (
            SELECT person_id, year(peildatum) AS jaar, sum(rate) / 12 AS inkomen
            FROM _pm GROUP BY ALL
        )
        SELECT pm.person_id, pm.peildatum, year(pm.peildatum)::INTEGER AS jaar,
               pm.household_id, pm.rol, pm.geslacht, pm.geboortedatum,
               date_sub('year', pm.geboortedatum, pm.peildatum)::INTEGER AS leeftijd,
               date_sub('year', pm.geboortedatum,
                        date_trunc('quarter', pm.peildatum)::DATE)::INTEGER AS leeftijd_kwartaal,
               pm.geboortedatum <= date_trunc('quarter', pm.peildatum)::DATE AS kwartaal_geboren,
               pm.arbeidsstatus, round(j.inkomen, 2) AS inkomen,
               round(pm.rate / 12, 2) AS inkomen_maand, pm.vermogen, pm.zorgverzekerd,
               pm.aow_opbouwjaren
        FROM _pm pm JOIN jaar j ON j.person_id = pm.person_id AND j.jaar = year(pm.peildatum)
        WHERE pm.peildatum IN ({wanted})
        """
    )
    # When the aanvrager dies the world hands the household to the partner, else the oldest
    # member, without an event of its own; apply the same rule here.
    con.execute(
        """
        UPDATE _ps SET rol = 'aanvrager' FROM (
            WITH wees AS (
                SELECT household_id, peildatum FROM _ps GROUP BY household_id, peildatum
                HAVING NOT bool_or(rol = 'aanvrager')
            )
            SELECT household_id, peildatum,
                   arg_min(person_id, (rol <> 'partner', geboortedatum, person_id)) AS heir
            FROM _ps SEMI JOIN wees USING (household_id, peildatum)
            GROUP BY household_id, peildatum
        ) o
        WHERE _ps.household_id = o.household_id AND _ps.peildatum = o.peildatum
          AND _ps.person_id = o.heir
        """
    )
    # Household moves change the gemeente; the rent and WOZ belong to the household.
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _adres AS
        WITH v AS (
            SELECT household_id, datum::DATE AS d,
                   arg_max(gemeente_code, event_id) AS gemeente_code
            FROM events
            WHERE soort = 'verhuizing' AND nieuw_household_id IS NULL
              AND gemeente_code IS NOT NULL
            GROUP BY ALL
        ), i AS (
            SELECT *, coalesce(lead(d) OVER (PARTITION BY household_id ORDER BY d),
                               DATE '9999-12-31') AS tot
            FROM v
        )
        SELECT i.household_id, m.peildatum, i.gemeente_code
        FROM i JOIN _maanden m ON m.peildatum >= i.d AND m.peildatum < i.tot
        """
    )
    assemble_frames(con)
    for table in ("_pm", "_staat", "_staat_maand"):
        con.execute(f"DROP TABLE IF EXISTS {table}")


def assemble_frames(
    con: duckdb.DuckDBPyConnection,
    person_months: str = "_ps",
    addresses: str = "_adres",
    prefix: str = "frame",
    one_per_role: bool = False,
) -> None:
    """Create ``<prefix>_huishouden`` and ``<prefix>_persoon`` from person-month states.

    `build_frames` leaves the true states in ``_ps`` (one row per person and month: household,
    rol, arbeidsstatus, incomes, ...) and ``_adres`` (gemeente per moved household and month).
    A register's view of the population (`sandbox.landscape`) is the same tables with its
    defects applied, assembled into frames under another prefix by this same code.

    Args:
        con: the connection holding the tables.
        person_months: the person-month table.
        addresses: the household-address table.
        prefix: the frames' name prefix.
        one_per_role: keep one aanvrager and one partner per household and month (the lowest
            person_id). The world guarantees that; a register's view with defects need not.
    """
    _ps, _adres = person_months, addresses
    if one_per_role:
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE {prefix}_rollen AS
            SELECT * FROM {_ps} WHERE rol IN ('aanvrager', 'partner')
            QUALIFY row_number() OVER (PARTITION BY household_id, peildatum, rol
                                       ORDER BY person_id) = 1
            """
        )
        roles = f"{prefix}_rollen"
    else:
        roles = _ps
    aanvrager = ", ".join(f"a.{k} AS aanvrager_{k}" for k in _MEMBER)
    partner_cols = ", ".join(f"pa.{k} AS partner_{k}" for k in _MEMBER)
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {prefix}_huishouden AS
        WITH g AS (
            SELECT household_id, peildatum, any_value(jaar) AS jaar,
                   count(*)::INTEGER AS aantal_personen,
                   count(*) FILTER (WHERE rol = 'partner') > 0 AS heeft_partner,
                   count(*) FILTER (WHERE rol = 'kind' AND leeftijd < 18)::INTEGER AS kinderen,
                   {_bands()},
                   min(leeftijd) FILTER (WHERE rol = 'kind' AND leeftijd < 18)::INTEGER
                       AS jongste_kind_leeftijd,
                   count(*) FILTER (WHERE leeftijd >= 18)::INTEGER AS personen_18_plus,
                   count(*) FILTER (WHERE leeftijd >= 21)::INTEGER AS personen_21_plus,
                   count(*) FILTER (WHERE leeftijd >= 27)::INTEGER AS personen_27_plus,
                   max(leeftijd)::INTEGER AS oudste_leeftijd
            FROM {_ps} GROUP BY household_id, peildatum
        ), mede AS (
            SELECT household_id, peildatum,
                   list(struct_pack(leeftijd := leeftijd, inkomen := inkomen)
                        ORDER BY person_id) AS medebewoners
            FROM {_ps} WHERE rol NOT IN ('aanvrager', 'partner') AND leeftijd >= 18
            GROUP BY household_id, peildatum
        )
        SELECT g.peildatum, g.jaar, g.household_id,
               coalesce(ad.gemeente_code, h.gemeente_code) AS gemeente_code,
               h.woonsituatie, h.kale_huur::DOUBLE AS kale_huur,
               h.servicekosten::DOUBLE AS servicekosten, h.woz_waarde::DOUBLE AS woz_waarde,
               g.aantal_personen, a.person_id AS aanvrager_id,
               {aanvrager},
               g.heeft_partner,
               {partner_cols},
               g.* EXCLUDE (peildatum, jaar, household_id, aantal_personen, heeft_partner),
               coalesce(m.medebewoners, []) AS medebewoners
        FROM g
        JOIN {roles} a ON a.household_id = g.household_id AND a.peildatum = g.peildatum
                  AND a.rol = 'aanvrager'
        JOIN households h ON h.household_id = g.household_id
        LEFT JOIN {roles} pa ON pa.household_id = g.household_id AND pa.peildatum = g.peildatum
                  AND pa.rol = 'partner'
        LEFT JOIN mede m ON m.household_id = g.household_id AND m.peildatum = g.peildatum
        LEFT JOIN {_adres} ad ON ad.household_id = g.household_id AND ad.peildatum = g.peildatum
        """
    )
    partner = ", ".join(
        f"CASE p.rol WHEN 'aanvrager' THEN h.partner_{k} WHEN 'partner' THEN h.aanvrager_{k} "
        f"END AS partner_{k}"
        for k in _MEMBER
    )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {prefix}_persoon AS
        SELECT p.peildatum, p.jaar, p.person_id, p.rol, p.geslacht,
               {", ".join(f"p.{k}" for k in _MEMBER)},
               CASE p.rol WHEN 'aanvrager' THEN h.heeft_partner
                          WHEN 'partner' THEN TRUE ELSE FALSE END AS heeft_partner,
               {partner},
               {", ".join(f"h.{k}" for k in _HOUSING)},
               h.kinderen,
               CASE WHEN p.rol = 'kind'
                    THEN h.aanvrager_inkomen + coalesce(h.partner_inkomen, 0) END
                   AS ouders_inkomen
        FROM {_ps} p JOIN {prefix}_huishouden h
          ON h.household_id = p.household_id AND h.peildatum = p.peildatum
        """
    )


def _bands() -> str:
    now = {"0_5": (0, 5), "6_11": (6, 11), "12_15": (12, 15), "16_17": (16, 17)}
    quarter = {"0_5": (0, 5), "6_11": (6, 11), "12_17": (12, 17)}
    parts = [
        f"count(*) FILTER (WHERE rol = 'kind' AND leeftijd BETWEEN {lo} AND {hi})::INTEGER "
        f"AS kinderen_{name}"
        for name, (lo, hi) in now.items()
    ]
    parts += [
        f"count(*) FILTER (WHERE rol = 'kind' AND kwartaal_geboren "
        f"AND leeftijd_kwartaal BETWEEN {lo} AND {hi})::INTEGER AS kinderen_kwartaal_{name}"
        for name, (lo, hi) in quarter.items()
    ]
    return ",\n".join(parts)
