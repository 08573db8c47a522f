"""Load and validate the regeling files: schema, expressions, columns, events — before any run.

Every problem is a `RuleError` naming the file and the field, with what is allowed.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
from functools import cache
from pathlib import Path

import duckdb
from pydantic import ValidationError

from sandbox.dataset import EVENT_TYPES
from sandbox.errors import RuleError, did_you_mean
from sandbox.rules.frame import TIME_COLUMNS, columns_for, install_macros
from sandbox.rules.schema import Regeling
from sandbox.yamlfile import read_mapping

__all__ = [
    "EVENT_TYPES",
    "catalog_dir",
    "check_years",
    "load_catalog",
    "load_regeling",
    "select",
]


def catalog_dir() -> Path:
    """The catalog folder: ``$SANDBOX_CATALOG`` or the one shipped in the package."""
    env = os.environ.get("SANDBOX_CATALOG")
    return Path(env) if env else Path(__file__).parent / "catalog"


def _pydantic_message(path: Path, exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"]) or "(top level)"
    if err["type"] == "extra_forbidden":
        return f"{path.name}: unknown field '{where}'; check the spelling (see docs/rules.md)"
    if err["type"] == "missing":
        return f"{path.name}: required field '{where}' is missing"
    more = f" (and {len(exc.errors()) - 1} more)" if len(exc.errors()) > 1 else ""
    return f"{path.name}: {where}: {err['msg']}{more}"


def load_regeling(path: Path | str) -> Regeling:
    """Load one regeling file and validate it completely.

    Raises:
        RuleError: syntax error (with line), unknown field, bad value, unknown column in an
            expression (with the valid ones), bad expression, unknown life event.
    """
    path = Path(path)
    data = read_mapping(path, RuleError, "regeling file")
    try:
        reg = Regeling.model_validate(data)
    except ValidationError as exc:
        raise RuleError(_pydantic_message(path, exc)) from None
    if reg.id != path.stem:
        raise RuleError(f"{path.name}: id '{reg.id}' must equal the file name '{path.stem}'")
    _check_semantics(path, reg)
    return reg


def _check_semantics(path: Path, reg: Regeling) -> None:
    unknown = [e for e in reg.levensgebeurtenissen if e not in EVENT_TYPES]
    if unknown:
        raise RuleError(
            f"{path.name}: levensgebeurtenissen: unknown event '{unknown[0]}'; "
            f"valid: {', '.join(EVENT_TYPES)}"
        )
    frame = columns_for(reg.eenheid)
    bad = [i.kolom for i in reg.inputs if i.kolom not in frame]
    if bad:
        raise RuleError(
            f"{path.name}: inputs: unknown column '{bad[0]}'{did_you_mean(bad[0], frame)}; "
            f"valid for eenheid {reg.eenheid}: {', '.join(frame)}"
        )
    clash = sorted((set(reg.parameters) | {b.naam for b in reg.berekening}) & set(frame))
    if clash:
        raise RuleError(
            f"{path.name}: '{clash[0]}' is a frame column; give the parameter or calculation "
            "another name"
        )
    first = dt.date(reg.jaren[0], 1, 1)
    for name, par in reg.parameters.items():
        if par.on(first) is None and (reg.geldig_van is None or par.on(reg.geldig_van) is None):
            raise RuleError(
                f"{path.name}: parameters.{name}: no value in force on {first}, the start of "
                f"the first year in 'jaren'; add a value with 'vanaf' on or before it"
            )
    _check_expressions(path, reg)


def _nodes(node: object):
    """Every dict node of a serialised DuckDB parse tree, depth first."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _nodes(value)
    elif isinstance(node, list):
        for value in node:
            yield from _nodes(value)


def _refs(tree: object) -> set[str]:
    return {n["column_names"][0] for n in _nodes(tree) if n.get("class") == "COLUMN_REF"}


@cache
def _parser() -> duckdb.DuckDBPyConnection:
    return duckdb.connect()


def parse_refs(expression: str) -> set[str]:
    """The column names an expression refers to (lambda parameters excluded).

    Raises:
        ValueError: a syntax error, several statements or a subquery.
    """
    sql = f"SELECT ({expression}) AS x"
    tree = json.loads(
        _parser().execute("SELECT json_serialize_sql(?::VARCHAR)", [sql]).fetchone()[0]
    )
    if tree.get("error"):
        raise ValueError(tree.get("error_message", "syntax error").splitlines()[0])
    if len(tree["statements"]) != 1 or len(tree["statements"][0]["node"]["select_list"]) != 1:
        raise ValueError("an expression must be a single SQL expression")
    select = tree["statements"][0]["node"]["select_list"]
    nodes = list(_nodes(select))
    if any(n.get("class") == "SUBQUERY" for n in nodes):
        raise ValueError("subqueries are not allowed in an expression")
    lambdas = set().union(*(_refs(n.get("lhs", {})) for n in nodes if n.get("class") == "LAMBDA"))
    return _refs(select) - lambdas


def _sql_type(value: object) -> str:
    if isinstance(value, bool):
        return "BOOLEAN"
    return "DOUBLE" if isinstance(value, float | int) else "VARCHAR"


def _check_expressions(path: Path, reg: Regeling) -> None:
    frame = columns_for(reg.eenheid)
    declared = {i.kolom for i in reg.inputs} | set(TIME_COLUMNS)
    known = set(frame) | set(reg.parameters)
    steps = [(f"berekening.{b.naam}", b.expressie, b.naam) for b in reg.berekening]
    steps += [(f"voorwaarden.{v.id}", v.expressie, v.id) for v in reg.voorwaarden]
    steps.append(("bedrag", reg.bedrag.expressie, None))
    # Bind each expression against an empty table of the frame's types: catches unknown
    # functions and type errors, not only names.
    con = duckdb.connect()
    install_macros(con)
    cols = [f'"{c}" {t}' for c, (t, _) in frame.items()]
    cols += [f'"{n}" {_sql_type(p.waarden[0].waarde)}' for n, p in reg.parameters.items()]
    con.execute(f"CREATE TABLE t ({', '.join(cols)})")
    defined: list[str] = []
    for where, expr, name in steps:
        try:
            refs = parse_refs(expr)
        except ValueError as exc:
            raise RuleError(f"{path.name}: {where}: bad expression: {exc}") from None
        valid = known | set(defined)
        for ref in sorted(refs):
            if ref not in valid:
                raise RuleError(
                    f"{path.name}: {where}: unknown column '{ref}'{did_you_mean(ref, valid)}; "
                    f"valid: {', '.join(sorted(valid))}"
                )
            if ref in frame and ref not in declared:
                raise RuleError(
                    f"{path.name}: {where}: column '{ref}' is not listed under 'inputs'; "
                    "add it with the register attribute it stands for"
                )
        lateral = ", ".join(f"({e}) AS {n}" for _, e, n in steps[: len(defined)] if n is not None)
        select = f"{lateral}, ({expr}) AS x" if lateral else f"({expr}) AS x"
        try:
            con.execute(f"SELECT {select} FROM t LIMIT 0")
        except duckdb.Error as exc:
            msg = str(exc).splitlines()[0]
            raise RuleError(f"{path.name}: {where}: bad expression: {msg}") from None
        if name is not None:
            defined.append(name)
    con.close()


def load_catalog(folder: Path | str | None = None) -> dict[str, Regeling]:
    """All regeling files in the catalog folder, by id, each fully validated.

    Validation binds every expression in DuckDB (seconds for the whole catalog), so the result
    is kept per folder until a file in it changes (name, size or modification time).
    """
    folder = Path(folder) if folder else catalog_dir()
    files = sorted(folder.glob("*.yaml"))
    if not files:
        raise RuleError(f"{folder}: no regeling files (*.yaml) found")
    stamp = tuple((f.name, f.stat().st_mtime_ns, f.stat().st_size) for f in files)
    return dict(_load_catalog(folder.resolve(), stamp))


@functools.lru_cache(maxsize=8)
def _load_catalog(folder: Path, stamp: tuple) -> dict[str, Regeling]:
    return {name.removesuffix(".yaml"): load_regeling(folder / name) for name, _, _ in stamp}


def select(catalog: dict[str, Regeling], names: list[str] | None) -> list[Regeling]:
    """The regelingen named (all when ``names`` is empty), or a RuleError naming the unknown."""
    if not names:
        return list(catalog.values())
    out = []
    for name in names:
        if name not in catalog:
            raise RuleError(
                f"unknown regeling '{name}'{did_you_mean(name, catalog)}; "
                f"valid: {', '.join(catalog)}"
            )
        out.append(catalog[name])
    return out


def check_years(reg: Regeling, months: list[dt.date]) -> list[dt.date]:
    """The months in which ``reg`` applies; a RuleError when one lacks parameters.

    Raises:
        RuleError: a month in which the regeling applies falls in a year not in ``jaren``.
    """
    applicable = [m for m in months if reg.applies(m)]
    missing = sorted({m.year for m in applicable} - set(reg.jaren))
    if missing:
        years = ", ".join(str(y) for y in missing)
        have = ", ".join(str(y) for y in reg.jaren)
        raise RuleError(f"{reg.id} has no parameters for {years} (encoded: {have})")
    return applicable
