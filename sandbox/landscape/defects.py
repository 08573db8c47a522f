"""What the registers show: the ground truth with registration lags and data-quality defects.

The rules engine's true person-month states (``_ps``, ``_adres``, see
`sandbox.rules.build_frames`) are copied with each register's defects applied, then assembled
into frames ``obs_persoon`` / ``obs_huishouden`` by the same code as the true frames. The truth
is left untouched, so a simulation can score what an organisation *thought* against what *was*.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any

import duckdb
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sandbox.errors import LandscapeError
from sandbox.landscape.registers import Landscape
from sandbox.rules import assemble_frames
from sandbox.yamlfile import read_mapping

__all__ = ["Defects", "load_defects", "observe", "OBSERVED_PREFIX"]

OBSERVED_PREFIX = "obs"
_DATA = Path(__file__).parent / "data" / "defecten.yaml"
# The person-month columns a register attribute can make missing.
_PERSON_COLUMNS = (
    "arbeidsstatus",
    "inkomen",
    "inkomen_maand",
    "vermogen",
    "zorgverzekerd",
    "aow_opbouwjaren",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=True)


class Ontbrekend(_Strict):
    """A share of persons for whom a register holds no value of an attribute."""

    register_id: str = Field(alias="register")
    attribuut: str
    aandeel: float = Field(ge=0, le=1)
    bron: str = ""


class Vertraagd(_Strict):
    """A share of units whose changes a register records ``maanden`` late."""

    aandeel: float = Field(ge=0, le=1)
    maanden: int = Field(ge=0, le=24)
    bron: str = ""


class Defects(_Strict):
    """The defects of the registers in one simulation (defaults: ``data/defecten.yaml``)."""

    vertraging: dict[str, Annotated[int, Field(ge=0, le=36)]] = Field(default_factory=dict)
    ontbrekend: list[Ontbrekend] = Field(default_factory=list)
    verouderd_adres: Vertraagd = Vertraagd(aandeel=0.0, maanden=0)
    verkeerde_samenstelling: Vertraagd = Vertraagd(aandeel=0.0, maanden=0)

    def lag(self, landscape: Landscape, register: str) -> tuple[int, bool]:
        """The registration lag of ``register`` in months, and whether it counts after the year."""
        landscape.check_register(register)
        default = landscape.registers[register].vertraging
        months = self.vertraging.get(register, default.maanden)
        return months, bool(getattr(default, "na_jaar", False))


def _merge(base: Any, extra: Any) -> Any:
    if isinstance(base, dict) and isinstance(extra, Mapping):
        out = dict(base)
        for key, value in extra.items():
            out[key] = _merge(base.get(key), value) if key in base else value
        return out
    return copy.deepcopy(extra)


def load_defects(
    overrides: Mapping[str, Any] | None = None,
    path: Path | None = None,
    landscape: Landscape | None = None,
) -> Defects:
    """The packaged defaults (or ``path``) with a strategy's ``overrides`` merged in.

    Raises:
        LandscapeError: malformed YAML, an unknown field, a share outside 0-1, an unknown
            register or attribute (one line, naming the file or field).
    """
    path = path or _DATA
    raw = read_mapping(path, LandscapeError, "defects file")
    source = str(path)
    if overrides:
        raw = _merge(raw, dict(overrides))
        source = f"{path} + defecten in the strategy"
    try:
        defects = Defects.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"])
        raise LandscapeError(f"{source}: defecten.{field}: {err['msg']}") from None
    if landscape is not None:
        checks = [("vertraging", landscape.check_register, r) for r in defects.vertraging]
        checks += [("ontbrekend", lambda i: _missing_column(landscape, i), i)
                   for i in defects.ontbrekend]  # fmt: skip
        for field, check, value in checks:
            try:
                check(value)
            except LandscapeError as exc:
                text = str(exc).removeprefix("defecten.ontbrekend: ")
                raise LandscapeError(f"{source}: defecten.{field}: {text}") from None
    return defects


def _missing_column(landscape: Landscape, item: Ontbrekend) -> str:
    columns = landscape.attribute_columns(item.register_id, item.attribuut)
    own = [c for c in columns if c in _PERSON_COLUMNS]
    if not own:
        raise LandscapeError(
            f"defecten.ontbrekend: {item.register_id}.{item.attribuut} is not a person attribute "
            f"that can be missing; choose one holding {', '.join(_PERSON_COLUMNS)}"
        )
    return own[0]


def _unit_share(key: str, salt: str, seed: int, share: float) -> str:
    """SQL: TRUE for a stable pseudo-random ``share`` of the ids in ``key``."""
    return f"(hash({key}, '{salt}', {int(seed)}) % 1000000) < {int(round(share * 1_000_000))}"


def observe(
    con: duckdb.DuckDBPyConnection,
    landscape: Landscape,
    defects: Defects,
    months: list[dt.date],
    seed: int,
    persons: Sequence[int] | None = None,
) -> None:
    """Build ``obs_persoon`` and ``obs_huishouden``: the population as the registers show it.

    Needs the true person-month states that `sandbox.rules.build_frames` leaves in the
    connection. Per register (see ``registers.yaml``): BRP composition and addresses lag by
    the BRP lag; a share of persons' household changes lag further (``verkeerde_samenstelling``)
    and a share of households' moves too (``verouderd_adres``); the monthly wage and
    arbeidsstatus lag by the Polis lag; the yearly toetsingsinkomen is known only some months
    after the year (before that, the last known year counts; before the period, the income rate
    on the first day stands in for it); ``ontbrekend`` blanks attributes for a share of persons.

    Args:
        con: connection holding ``_ps``, ``_adres`` and ``households``.
        landscape: the register catalog (lags).
        defects: the defects to apply.
        months: the months of the frames.
        seed: the seed of the simulation (which units suffer a defect).
        persons: only assemble the frames of the households these persons are registered in
            (in any month); those units' rows are the same as in the full view, the rest is
            left out. Default: everyone.
    """
    first = min(months)
    brp, _ = defects.lag(landscape, "brp")
    polis, _ = defects.lag(landscape, "polis")
    bd, _ = defects.lag(landscape, "belastingdienst")
    comp = defects.verkeerde_samenstelling
    addr = defects.verouderd_adres
    stale = _unit_share("c.person_id", "samenstelling", seed, comp.aandeel)
    moved = _unit_share("a.household_id", "adres", seed, addr.aandeel)

    def back(months_expr: str) -> str:
        return f"greatest(c.peildatum - to_months({months_expr}), DATE '{first}')"

    missing = {}
    for item in defects.ontbrekend:
        column = _missing_column(landscape, item)
        missing[column] = _unit_share("c.person_id", f"ontbrekend-{column}", seed, item.aandeel)

    def blank(column: str, value: str) -> str:
        if column in missing:
            return f"CASE WHEN {missing[column]} THEN NULL ELSE {value} END"
        return value

    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _jaarinkomen AS
        SELECT person_id, jaar, any_value(inkomen) AS inkomen,
               arg_min(inkomen_maand, peildatum) * 12 AS startinkomen
        FROM _ps GROUP BY ALL
        """
    )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE obs_ps AS
        SELECT c.person_id, c.peildatum, c.jaar,
               coalesce(s.household_id, c.household_id) AS household_id,
               coalesce(s.rol, c.rol) AS rol,
               c.geslacht, c.geboortedatum, c.leeftijd, c.leeftijd_kwartaal, c.kwartaal_geboren,
               {blank("arbeidsstatus", "coalesce(p.arbeidsstatus, c.arbeidsstatus)")}
                   AS arbeidsstatus,
               {blank("inkomen", "round(coalesce(j.inkomen, st.startinkomen), 2)")} AS inkomen,
               {blank("inkomen_maand", "coalesce(p.inkomen_maand, c.inkomen_maand)")}
                   AS inkomen_maand,
               {blank("vermogen", "c.vermogen")} AS vermogen,
               {blank("zorgverzekerd", "c.zorgverzekerd")} AS zorgverzekerd,
               {blank("aow_opbouwjaren", "c.aow_opbouwjaren")} AS aow_opbouwjaren
        FROM _ps c
        LEFT JOIN _ps s ON s.person_id = c.person_id
             AND s.peildatum = {back(f"{brp} + CASE WHEN {stale} THEN {comp.maanden} ELSE 0 END")}
        LEFT JOIN _ps p ON p.person_id = c.person_id AND p.peildatum = {back(str(polis))}
        LEFT JOIN _jaarinkomen j ON j.person_id = c.person_id
             AND j.jaar = year(c.peildatum - to_months({bd})) - 1
        LEFT JOIN (SELECT person_id, arg_min(startinkomen, jaar) AS startinkomen
                   FROM _jaarinkomen GROUP BY ALL) st ON st.person_id = c.person_id
        """
    )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE obs_adres AS
        SELECT a.household_id, a.peildatum, o.gemeente_code
        FROM (SELECT DISTINCT household_id, peildatum FROM _adres) a
        JOIN _adres o ON o.household_id = a.household_id
             AND o.peildatum = greatest(
                 a.peildatum - to_months({brp} + CASE WHEN {moved} THEN {addr.maanden} ELSE 0 END),
                 DATE '{first}')
        """
    )
    # A household whose move is registered late has no row yet: it keeps its old gemeente.
    if persons is not None:
        con.execute(
            """
            DELETE FROM obs_ps WHERE household_id NOT IN (
                SELECT DISTINCT household_id FROM obs_ps
                WHERE person_id IN (SELECT unnest(?::BIGINT[])))
            """,
            [[int(p) for p in persons]],
        )
    assemble_frames(con, "obs_ps", "obs_adres", prefix=OBSERVED_PREFIX, one_per_role=True)
