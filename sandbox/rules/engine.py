"""Evaluate regelingen for a whole population at once in DuckDB, and explain single outcomes.

Each regeling compiles to one SQL query over its unit frame joined with a table of its
parameters per month: the calculations, then every condition, then ``recht`` (all conditions
hold) and ``bedrag_maand``.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from sandbox.rules.catalog import check_years
from sandbox.rules.schema import Regeling

__all__ = ["RESULT_COLUMNS", "evaluate", "regeling_sql"]

RESULT_COLUMNS = ("regeling", "eenheid", "unit_id", "peildatum", "recht", "bedrag_maand")
_UNIT_ID = {"persoon": "person_id", "huishouden": "household_id"}


def _gemeenten(reg: Regeling) -> list[str]:
    return sorted(set().union(*(p.gemeenten for p in reg.parameters.values())))


def _params_table(con: duckdb.DuckDBPyConnection, reg: Regeling, months: list[dt.date]) -> str:
    """Register the parameter values in force per month (and per overriding gemeente).

    Columns: ``_pd`` (the month), ``_gm`` (NULL for the default, else a gemeente code with
    its own policy) and one column per parameter.
    """
    keys = [(m, g) for m in months for g in [None, *_gemeenten(reg)]]
    rows: dict[str, list] = {"_pd": [k[0] for k in keys], "_gm": [k[1] for k in keys]}
    for name, par in reg.parameters.items():
        rows[name] = [par.on(m, g) for m, g in keys]
    frame = pd.DataFrame(rows)
    frame["_gm"] = frame["_gm"].astype("string")
    name = f"_par_{reg.id}"
    con.register(f"{name}_df", frame)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * REPLACE (_pd::DATE AS _pd) FROM {name}_df"
    )
    con.unregister(f"{name}_df")
    return name


def regeling_sql(
    reg: Regeling,
    params: str,
    explain: bool = False,
    frame: str = "frame",
    enum: str = "regeling_id",
) -> str:
    """The SELECT that evaluates ``reg`` over ``<frame>_<eenheid>`` joined with ``params``.

    With ``explain``, every calculation and condition is kept as a column (``b:<naam>``,
    ``v:<id>``) so an outcome can be traced to the article behind it. ``frame`` names another
    set of unit frames with the same columns (e.g. what a register shows, `sandbox.landscape`).
    """
    own = _gemeenten(reg)
    key = (
        "CASE WHEN f.gemeente_code IN ({}) THEN f.gemeente_code END".format(
            ", ".join(f"'{g}'" for g in own)
        )
        if own
        else "NULL"
    )
    # One projection per step, so an amount used by several later steps is computed once.
    query = (
        f"SELECT f.*, p.* EXCLUDE (_pd, _gm) FROM {frame}_{reg.eenheid} f "
        f"JOIN {params} p ON p._pd = f.peildatum AND p._gm IS NOT DISTINCT FROM ({key})"
    )
    for b in reg.berekening:
        query = f"SELECT *, ({b.expressie}) AS {b.naam} FROM ({query})"
    # A condition that cannot be established (NULL) does not hold.
    conds = ", ".join(f'coalesce(({v.expressie}), FALSE) AS "v:{v.id}"' for v in reg.voorwaarden)
    query = f"SELECT *, {conds} FROM ({query})"
    recht = " AND ".join(f'"v:{v.id}"' for v in reg.voorwaarden)
    query = (
        f"SELECT '{reg.id}' AS regeling, '{reg.eenheid}' AS eenheid, "
        f"{_UNIT_ID[reg.eenheid]} AS unit_id, *, ({recht}) AS recht, "
        f"CASE WHEN {recht} THEN coalesce(({reg.bedrag.expressie})::DOUBLE, 0) "
        f"ELSE 0 END AS bedrag_maand FROM ({query})"
    )
    if explain:
        return query
    # In a population run the ids are ENUM constants (see `evaluate`): one byte per row.
    return (
        f"SELECT '{reg.id}'::{enum} AS regeling, "
        f"'{reg.eenheid}'::ENUM('persoon', 'huishouden') AS eenheid, "
        f"unit_id, peildatum, recht, bedrag_maand FROM ({query})"
    )


def evaluate(
    con: duckdb.DuckDBPyConnection,
    regelingen: list[Regeling],
    months: list[dt.date],
    *,
    table: str = "rechten",
    frame: str = "frame",
    encoded_only: bool = False,
) -> dict[str, list[dt.date]]:
    """Evaluate ``regelingen`` for every unit and month into the temp table ``table``.

    The connection must hold ``frame_persoon`` and ``frame_huishouden`` for ``months``
    (see `sandbox.rules.frame.build_frames`). Regelingen that did not exist in a month
    (``geldig_van``/``geldig_tot``) are left out for that month.

    Args:
        con: the connection holding the frames.
        regelingen: what to evaluate.
        months: first days of the months.
        table: the temp table to (re)create.
        frame: prefix of the unit frames to read (``<frame>_persoon``, ``<frame>_huishouden``).
        encoded_only: skip the months of years without parameters instead of failing.

    Returns:
        The months evaluated, per regeling id.

    Raises:
        RuleError: a regeling has no parameters for a year of the period (unless
            ``encoded_only``).
    """
    if encoded_only:
        plan = {
            reg.id: [m for m in months if reg.applies(m) and m.year in reg.jaren]
            for reg in regelingen
        }
    else:
        plan = {reg.id: check_years(reg, months) for reg in regelingen}
    ids = ", ".join(f"'{reg.id}'" for reg in regelingen)
    con.execute(f"DROP TABLE IF EXISTS {table}")
    enum = f"{table}_regeling_id"
    con.execute(f"DROP TYPE IF EXISTS {enum}")
    con.execute(f"CREATE TYPE {enum} AS ENUM ({ids})")
    parts = []
    for reg in regelingen:
        if not plan[reg.id]:
            continue
        params = _params_table(con, reg, plan[reg.id])
        parts.append(regeling_sql(reg, params, frame=frame, enum=enum))
    if not parts:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {table} (regeling VARCHAR, eenheid VARCHAR, "
            "unit_id BIGINT, peildatum DATE, recht BOOLEAN, bedrag_maand DOUBLE)"
        )
        return plan
    con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS " + "\nUNION ALL\n".join(parts))
    return plan


def explain(con: duckdb.DuckDBPyConnection, reg: Regeling, months: list[dt.date]) -> pd.DataFrame:
    """Per unit and month: every calculation and condition of ``reg``, ``recht`` and amount."""
    applicable = check_years(reg, months)
    if not applicable:
        return pd.DataFrame(columns=list(RESULT_COLUMNS))
    params = _params_table(con, reg, applicable)
    return con.execute(regeling_sql(reg, params, explain=True)).df()
