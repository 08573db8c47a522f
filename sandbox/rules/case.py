"""The case file: one household at one date, evaluated by the same engine as a population.

A case becomes a one-household population (no events), so `sandbox rules calc` and
`sandbox rules evaluate` can never disagree.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Literal

import duckdb
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sandbox.errors import CaseError
from sandbox.rules.engine import explain
from sandbox.rules.frame import build_frames
from sandbox.rules.schema import Grondslag, Regeling

__all__ = ["Case", "calc", "case_tables", "grondslag_text", "load_case"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Huishouden(_Strict):
    """The dwelling: gemeente, woonsituatie and housing costs per month."""

    gemeente_code: str = Field(pattern=r"^GM\d{4}$")
    woonsituatie: Literal["huur_sociaal", "huur_vrij", "koop", "inwonend"]
    kale_huur: float = Field(default=0.0, ge=0)
    servicekosten: float = Field(default=0.0, ge=0)
    woz_waarde: float = Field(default=0.0, ge=0)


class Persoon(_Strict):
    """One member; ``inkomen`` is the toetsingsinkomen of the calendar year of the peildatum."""

    id: str = Field(min_length=1)
    rol: Literal["aanvrager", "partner", "kind", "overig"]
    geboortedatum: dt.date
    geslacht: Literal["M", "V"] = "V"
    inkomen: float = Field(default=0.0, ge=0)
    vermogen: float = Field(default=0.0, ge=0)
    zorgverzekerd: bool = True
    arbeidsstatus: str = "overig"
    aow_opbouwjaren: int = Field(default=50, ge=0, le=50)


class Case(_Strict):
    """A household at a peildatum, as in ARCHITECTURE.md's case-file contract."""

    peildatum: dt.date
    huishouden: Huishouden
    personen: list[Persoon] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Case:
        roles = [p.rol for p in self.personen]
        if roles.count("aanvrager") != 1:
            raise ValueError("exactly one person must have rol 'aanvrager'")
        if roles.count("partner") > 1:
            raise ValueError("at most one person can have rol 'partner'")
        ids = [p.id for p in self.personen]
        if len(set(ids)) != len(ids):
            raise ValueError("person ids must be distinct")
        late = [p.id for p in self.personen if p.geboortedatum > self.peildatum]
        if late:
            raise ValueError(f"person '{late[0]}' is born after the peildatum")
        return self


def load_case(path: Path | str) -> Case:
    """Read and validate a case file.

    Raises:
        CaseError: missing file, invalid JSON (with line), unknown or missing field, bad value.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CaseError(f"{path}: case file not found") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CaseError(f"{path.name}: line {exc.lineno}: invalid JSON: {exc.msg}") from None
    try:
        return Case.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "(top level)"
        if err["type"] == "extra_forbidden":
            raise CaseError(f"{path.name}: unknown field '{where}'") from None
        if err["type"] == "missing":
            raise CaseError(f"{path.name}: required field '{where}' is missing") from None
        msg = err["msg"].removeprefix("Value error, ")
        raise CaseError(f"{path.name}: {where}: {msg}") from None


def case_tables(case: Case) -> dict[str, pd.DataFrame]:
    """The case as a one-household population (households, persons, empty events)."""
    h = case.huishouden
    households = pd.DataFrame(
        [
            {
                "household_id": 0,
                "gemeente_code": h.gemeente_code,
                "woonsituatie": h.woonsituatie,
                "kale_huur": h.kale_huur,
                "servicekosten": h.servicekosten,
                "woz_waarde": h.woz_waarde,
            }
        ]
    )
    persons = pd.DataFrame(
        [
            {
                "person_id": i,
                "household_id": 0,
                "rol": p.rol,
                "geslacht": p.geslacht,
                "geboortedatum": pd.Timestamp(p.geboortedatum),
                "overlijdensdatum": pd.NaT,
                "arbeidsstatus": p.arbeidsstatus,
                "inkomen": p.inkomen,
                "vermogen": p.vermogen,
                "zorgverzekerd": p.zorgverzekerd,
                "aow_opbouwjaren": p.aow_opbouwjaren,
            }
            for i, p in enumerate(case.personen)
        ]
    )
    events = pd.DataFrame(
        {
            "event_id": pd.Series([], dtype="int64"),
            "datum": pd.Series([], dtype="datetime64[ms]"),
            "soort": pd.Series([], dtype="string"),
            "person_id": pd.Series([], dtype="int64"),
            "household_id": pd.Series([], dtype="int64"),
            "nieuw_household_id": pd.Series([], dtype="Int64"),
            "rol": pd.Series([], dtype="string"),
            "arbeidsstatus": pd.Series([], dtype="string"),
            "inkomen": pd.Series([], dtype="Float64"),
            "gemeente_code": pd.Series([], dtype="string"),
        }
    )
    return {"households": households, "persons": persons, "events": events}


def grondslag_text(reg: Regeling, g: Grondslag) -> str:
    """An article as people cite it: ``art. 2 lid 1 Wet op de zorgtoeslag (BWBR0018451)``."""
    if g.wet:
        return f"art. {g.artikel} {g.wet} ({g.bwbr})"
    return f"art. {g.artikel} {reg.grondslag.wet} ({reg.grondslag.bwbr})"


def calc(case: Case, regelingen: list[Regeling]) -> list[dict]:
    """Evaluate ``regelingen`` for the case; one entry per regeling and unit, with reasons.

    Person-level regelingen give an entry for every adult in the household (``persoon``).
    """
    con = duckdb.connect()
    for name, frame in case_tables(case).items():
        con.register(name, frame)
    month = case.peildatum.replace(day=1)
    build_frames(con, [month])
    ids = [p.id for p in case.personen]
    adults = [
        r[0]
        for r in con.execute("SELECT person_id FROM frame_persoon WHERE leeftijd >= 18").fetchall()
    ]
    out = []
    for reg in regelingen:
        result = explain(con, reg, [month])
        if reg.eenheid == "persoon":
            result = result[result["unit_id"].isin(adults)]
        for _, row in result.iterrows():
            entry = {
                "regeling": reg.id,
                "naam": reg.naam,
                "recht": bool(row["recht"]),
                # The engine keeps full precision (a kinderbijslag month is a third of a
                # quarter); the case shows cents.
                "bedrag_maand": round(float(row["bedrag_maand"]), 2),
                "bedrag_jaar": round(float(row["bedrag_maand"]) * 12, 2),
                "voorwaarden": [
                    {
                        "id": v.id,
                        "omschrijving": v.omschrijving,
                        "voldaan": bool(row[f"v:{v.id}"]),
                        "grondslag": grondslag_text(reg, v.grondslag),
                    }
                    for v in reg.voorwaarden
                ],
            }
            if reg.eenheid == "persoon":
                entry = {"regeling": reg.id, "persoon": ids[int(row["unit_id"])]} | entry
            out.append(entry)
    con.close()
    return out
