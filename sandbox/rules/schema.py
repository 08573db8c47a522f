"""The regeling file: what one YAML file in the catalog may hold, validated with pydantic.

One file per regeling. Parameters are keyed by ingangsdatum (``vanaf``) inside the file, each
value with its source; each condition carries its own article of law.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "EENHEDEN",
    "Bedrag",
    "Berekening",
    "Grondslag",
    "Input",
    "NietGebruik",
    "Parameter",
    "Regeling",
    "Voorwaarde",
    "Waarde",
    "Wet",
]

EENHEDEN = ("persoon", "huishouden")
_NAME = r"^[a-z][a-z0-9_]*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Wet(_Strict):
    """The law a regeling rests on, with its BWBR id and a dated link to wetten.overheid.nl."""

    wet: str = Field(min_length=3)
    bwbr: str = Field(pattern=r"^BWBR\d{7}$")
    artikel: str = Field(min_length=1)
    link: str = Field(pattern=r"^https://")


class Grondslag(_Strict):
    """The article a condition or calculation rests on; ``wet`` defaults to the regeling's."""

    artikel: str = Field(min_length=1)
    wet: str | None = None
    bwbr: str | None = Field(default=None, pattern=r"^BWBR\d{7}$")
    link: str | None = Field(default=None, pattern=r"^https://")

    @model_validator(mode="after")
    def _other_law_named(self) -> Grondslag:
        if self.wet and not self.bwbr:
            raise ValueError("a grondslag in another law needs that law's 'bwbr' id")
        return self


class Waarde(_Strict):
    """One value of a parameter, in force from ``vanaf``, with where it was published."""

    vanaf: dt.date
    waarde: float | bool | str
    bron: str = Field(min_length=10)
    gemeente: str | None = Field(default=None, pattern=r"^GM\d{4}$")


class Parameter(_Strict):
    """A named law parameter: its unit and its values by ingangsdatum."""

    omschrijving: str = Field(min_length=3)
    unit: str = Field(min_length=1)
    waarden: list[Waarde] = Field(min_length=1)

    @field_validator("waarden")
    @classmethod
    def _ordered(cls, waarden: list[Waarde]) -> list[Waarde]:
        for gemeente in {w.gemeente for w in waarden}:
            days = [w.vanaf for w in waarden if w.gemeente == gemeente]
            if days != sorted(days) or len(set(days)) != len(days):
                raise ValueError("values must be listed by ascending, distinct 'vanaf' dates")
        if not any(w.gemeente is None for w in waarden):
            raise ValueError("a parameter needs a default value (one without 'gemeente')")
        if len({type(w.waarde) for w in waarden}) > 1:
            raise ValueError("all values of one parameter must have the same type")
        return waarden

    @property
    def gemeenten(self) -> set[str]:
        """The gemeenten that override the default value (gemeentelijk beleid)."""
        return {w.gemeente for w in self.waarden if w.gemeente}

    def on(self, day: dt.date, gemeente: str | None = None) -> float | bool | str | None:
        """The value in force on ``day`` (a gemeente's own value first), or None before any."""
        current = None
        for w in self.waarden:
            if w.vanaf <= day and w.gemeente is None:
                current = w.waarde
        if gemeente:
            for w in self.waarden:
                if w.vanaf <= day and w.gemeente == gemeente:
                    current = w.waarde
        return current


class Input(_Strict):
    """A frame column the regeling reads, and the register attribute it stands for."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    kolom: str = Field(pattern=_NAME)
    register_naam: str = Field(alias="register", min_length=2)
    attribuut: str = Field(min_length=2)


class NietGebruik(_Strict):
    """The literature non-take-up rate of the regeling, with its source."""

    percentage: float = Field(ge=0, le=100)
    jaar: str = Field(min_length=4)
    bron: str = Field(min_length=10)


class Berekening(_Strict):
    """A named intermediate amount (a SQL expression), usable by later expressions."""

    naam: str = Field(pattern=_NAME)
    omschrijving: str = Field(min_length=3)
    expressie: str = Field(min_length=1)
    grondslag: Grondslag


class Voorwaarde(_Strict):
    """A named condition: a boolean SQL expression and the article that sets it."""

    id: str = Field(pattern=_NAME)
    omschrijving: str = Field(min_length=3)
    expressie: str = Field(min_length=1)
    grondslag: Grondslag


class Bedrag(_Strict):
    """The amount per month in euros when every condition holds, rounded as published."""

    omschrijving: str = Field(min_length=3)
    expressie: str = Field(min_length=1)
    grondslag: Grondslag


class Regeling(_Strict):
    """One regeling as code: who executes it, what it rests on, its parameters and rules."""

    id: str = Field(pattern=_NAME)
    naam: str = Field(min_length=3)
    uitvoerder: str = Field(min_length=2)
    eenheid: Literal["persoon", "huishouden"]
    grondslag: Wet
    jaren: list[int] = Field(min_length=1)
    geldig_van: dt.date | None = None
    geldig_tot: dt.date | None = None
    toelichting: str | None = None
    niet_gebruik: NietGebruik | None = None
    levensgebeurtenissen: list[str] = Field(default_factory=list)
    inputs: list[Input] = Field(min_length=1)
    parameters: dict[str, Parameter] = Field(default_factory=dict)
    berekening: list[Berekening] = Field(default_factory=list)
    voorwaarden: list[Voorwaarde] = Field(min_length=1)
    bedrag: Bedrag

    @field_validator("parameters")
    @classmethod
    def _parameter_names(cls, parameters: dict[str, Parameter]) -> dict[str, Parameter]:
        import re

        bad = [name for name in parameters if not re.match(_NAME, name)]
        if bad:
            raise ValueError(f"parameter names must be lower_snake_case: {', '.join(bad)}")
        return parameters

    @model_validator(mode="after")
    def _distinct_names(self) -> Regeling:
        names = (
            list(self.parameters)
            + [b.naam for b in self.berekening]
            + [v.id for v in self.voorwaarden]
        )
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"names used twice: {', '.join(dupes)}")
        if sorted(set(self.jaren)) != self.jaren:
            raise ValueError("'jaren' must be ascending and distinct")
        return self

    def applies(self, day: dt.date) -> bool:
        """Whether the regeling existed in the month of ``day`` (its ``geldig_van/tot``)."""
        if self.geldig_van and day < self.geldig_van.replace(day=1):
            return False
        return not (self.geldig_tot and day > self.geldig_tot)
