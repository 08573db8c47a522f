"""The register catalog: who holds which register, its attributes and the frame columns they feed.

Loaded from ``data/registers.yaml`` and validated before use; every problem is one
`LandscapeError` line naming the file and the field, with what is allowed.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sandbox.errors import LandscapeError, did_you_mean
from sandbox.rules import HOUSEHOLD_COLUMNS, PERSON_COLUMNS, catalog_dir
from sandbox.yamlfile import read_mapping

__all__ = [
    "DATA_DIR",
    "NOT_REGISTER_DATA",
    "Attribuut",
    "Grondslag",
    "Landscape",
    "Register",
    "Vertraging",
    "data_columns",
    "load_landscape",
]

DATA_DIR = Path(__file__).parent / "data"
# Time columns and unit ids are set by the frame itself, not read from a register.
NOT_REGISTER_DATA = ("peildatum", "jaar", "person_id", "household_id", "aanvrager_id")
_NAME = r"^[a-z][a-z0-9_]*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Grondslag(_Strict):
    """The legal basis of a register or an access rule: law, article and a link."""

    wet: str = Field(min_length=3)
    artikel: str = Field(min_length=1)
    link: str = Field(pattern=r"^https://")
    bwbr: str | None = Field(default=None, pattern=r"^BWBR\d{7}$")
    kort: str | None = None
    toelichting: str | None = None

    def text(self) -> str:
        """The basis as people cite it: ``Wet SUWI art. 62 (eigen administratie)``."""
        kort = f" ({self.kort})" if self.kort else ""
        return f"{self.wet} art. {self.artikel}{kort}"


class Vertraging(_Strict):
    """How late a change shows in a register: ``maanden`` after it happened.

    With ``na_jaar`` the lag counts from the end of the calendar year the value belongs to
    (the toetsingsinkomen of year Y is known from ``maanden`` months after 31 December of Y).
    """

    maanden: int = Field(ge=0, le=36)
    na_jaar: bool = False
    bron: str = Field(min_length=10)


class Attribuut(_Strict):
    """One attribute of a register: the frame columns it stands for, or the regelingen it pays."""

    omschrijving: str = Field(min_length=3)
    kolommen: list[str] = Field(default_factory=list)
    regelingen: list[str] = Field(default_factory=list)


class Register(_Strict):
    """A register in the landscape, held by one organisation."""

    id: str = Field(pattern=_NAME)
    naam: str = Field(min_length=3)
    houder: str = Field(min_length=2)
    grondslag: Grondslag
    inhoud: str = Field(min_length=3)
    vertraging: Vertraging
    attributen: dict[str, Attribuut] = Field(min_length=1)

    def regelingen(self) -> list[str]:
        """The regelingen this register pays (its ``uitkeringen`` attribute), in file order."""
        betaald = self.attributen.get("uitkeringen")
        return list(betaald.regelingen) if betaald else []


class _Organisatie(_Strict):
    naam: str = Field(min_length=2)


class _RegistersFile(_Strict):
    organisaties: dict[str, _Organisatie] = Field(min_length=1)
    registers: dict[str, Register] = Field(min_length=1)


def data_columns() -> list[str]:
    """The frame columns that register data feeds: all columns but time and unit ids."""
    names = dict.fromkeys([*PERSON_COLUMNS, *HOUSEHOLD_COLUMNS])
    return [c for c in names if c not in NOT_REGISTER_DATA]


@dataclass
class Landscape:
    """The federated landscape: organisations (id → naam) and their registers (id → Register).

    Example:
        >>> land = load_landscape()
        >>> land.column_source("aanvrager_inkomen")
        ('belastingdienst', 'toetsingsinkomen')
    """

    organisaties: dict[str, str]
    registers: dict[str, Register]
    _columns: dict[str, tuple[str, str]] = field(init=False, repr=False)
    _payers: dict[str, str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._columns, self._payers = {}, {}
        for reg in self.registers.values():
            for name, attr in reg.attributen.items():
                self._columns.update({c: (reg.id, name) for c in attr.kolommen})
            self._payers.update({r: reg.id for r in reg.regelingen()})

    def column_source(self, column: str) -> tuple[str, str]:
        """The (register id, attribute) a frame column is read from.

        Raises:
            LandscapeError: a time column or unit id, a frame column no attribute lists, or an
                unknown column (with "did you mean").
        """
        if column in self._columns:
            return self._columns[column]
        if column in NOT_REGISTER_DATA:
            raise LandscapeError(
                f"column '{column}' is a time column or unit id, not register data"
            )
        if column in data_columns():
            raise LandscapeError(
                f"frame column '{column}' is not listed under any register attribute; "
                "add it to 'kolommen' of one attribute in registers.yaml"
            )
        raise LandscapeError(_unknown("column", column, sorted(self._columns)))

    def payer(self, regeling_id: str) -> str:
        """The id of the register that pays ``regeling_id``.

        Raises:
            LandscapeError: no register lists the regeling under ``uitkeringen``.
        """
        if regeling_id not in self._payers:
            raise LandscapeError(
                f"no register pays regeling '{regeling_id}'"
                f"{did_you_mean(regeling_id, self._payers)}; paid: {', '.join(self._payers)}"
            )
        return self._payers[regeling_id]

    def attribute_columns(self, register: str, attribute: str) -> list[str]:
        """The frame columns an attribute of a register stands for (may be empty)."""
        self.check_attribute(register, attribute)
        return list(self.registers[register].attributen[attribute].kolommen)

    def check_register(self, register: str) -> None:
        """Raise a `LandscapeError` (with "did you mean") unless ``register`` is known."""
        if register not in self.registers:
            raise LandscapeError(_unknown("register", register, self.registers))

    def check_attribute(self, register: str, attribute: str) -> None:
        """Raise a `LandscapeError` unless ``register`` is known and has ``attribute``."""
        self.check_register(register)
        known = self.registers[register].attributen
        if attribute not in known:
            raise LandscapeError(_unknown(f"attribute of register '{register}'", attribute, known))

    def check_organisation(self, org: str) -> None:
        """Raise a `LandscapeError` (with "did you mean") unless ``org`` is a known organisation."""
        if org not in self.organisaties:
            raise LandscapeError(_unknown("organisation", org, self.organisaties))


def load_landscape(path: Path | str | None = None) -> Landscape:
    """Load and validate the register catalog (default: the packaged ``data/registers.yaml``).

    Raises:
        LandscapeError: YAML syntax error (with line), unknown or missing field, bad value,
            unknown organisation, column or regeling, a column listed twice, a regeling paid
            twice — one line naming the file and the field.
    """
    path = Path(path) if path else DATA_DIR / "registers.yaml"
    data = read_mapping(path, LandscapeError)
    registers = data.get("registers")
    if isinstance(registers, dict):
        for key, reg in registers.items():
            if isinstance(reg, dict):
                reg.setdefault("id", key)
    try:
        parsed = _RegistersFile.model_validate(data)
    except ValidationError as exc:
        raise LandscapeError(_validation_message(path, exc, _RegistersFile)) from None
    _check_landscape(path, parsed)
    return Landscape(
        organisaties={k: v.naam for k, v in parsed.organisaties.items()},
        registers=dict(parsed.registers),
    )


def _check_landscape(path: Path, parsed: _RegistersFile) -> None:
    where = path.name
    for org in parsed.organisaties:
        if not re.match(_NAME, org):
            raise LandscapeError(f"{where}: organisaties.{org}: ids must be lower_snake_case")
    valid = data_columns()
    regelingen = sorted(p.stem for p in catalog_dir().glob("*.yaml"))
    seen_col: dict[str, str] = {}
    seen_reg: dict[str, str] = {}
    for key, reg in parsed.registers.items():
        here = f"{where}: registers.{key}"
        if reg.id != key:
            raise LandscapeError(f"{here}.id: '{reg.id}' must equal the key '{key}'")
        if reg.houder not in parsed.organisaties:
            raise LandscapeError(
                f"{here}.houder: {_unknown('organisation', reg.houder, parsed.organisaties)}"
            )
        for name, attr in reg.attributen.items():
            at = f"{here}.attributen.{name}"
            if not re.match(_NAME, name):
                raise LandscapeError(f"{at}: attribute names must be lower_snake_case")
            if attr.regelingen and name != "uitkeringen":
                raise LandscapeError(
                    f"{at}.regelingen: only the attribute 'uitkeringen' lists regelingen"
                )
            for col in attr.kolommen:
                if col not in valid:
                    raise LandscapeError(f"{at}.kolommen: {_unknown('column', col, valid)}")
                if col in seen_col:
                    raise LandscapeError(
                        f"{at}.kolommen: column '{col}' is already listed under {seen_col[col]}; "
                        "a column belongs to exactly one attribute"
                    )
                seen_col[col] = f"{key}.{name}"
            for reg_id in attr.regelingen:
                if regelingen and reg_id not in regelingen:
                    raise LandscapeError(
                        f"{at}.regelingen: {_unknown('regeling', reg_id, regelingen)}"
                    )
                if reg_id in seen_reg:
                    raise LandscapeError(
                        f"{at}.regelingen: regeling '{reg_id}' is already paid by register "
                        f"'{seen_reg[reg_id]}'; a regeling has exactly one payer"
                    )
                seen_reg[reg_id] = key


def _unknown(kind: str, name: str, known: Iterable[str]) -> str:
    """``unknown register 'polls' (did you mean 'polis'?); known: brp, polis, …``."""
    known = list(known)
    return f"unknown {kind} '{name}'{did_you_mean(name, known)}; known: {', '.join(known)}"


def _loc_text(loc: Iterable[object]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _validation_message(path: Path, exc: ValidationError, model: type[BaseModel]) -> str:
    """One line for the first pydantic error: file, field, what is wrong, what is allowed."""
    errors = exc.errors()
    err = errors[0]
    loc = err["loc"]
    if err["type"] == "extra_forbidden":
        parent = _model_at(model, loc[:-1])
        allowed = [f.alias or n for n, f in parent.model_fields.items()] if parent else []
        hint = did_you_mean(str(loc[-1]), allowed)
        listed = f"; allowed: {', '.join(allowed)}" if allowed else ""
        return f"{path.name}: {_loc_text(loc[:-1])}: unknown field '{loc[-1]}'{hint}{listed}"
    if err["type"] == "missing":
        return f"{path.name}: {_loc_text(loc)}: required field is missing"
    # A union (attributen: "*" or a list) gives one error per member, each under a tag such
    # as "literal['*']"; report them as one: "Input should be '*' or Input should be a valid list".
    same = [e for e in errors if _untagged(e["loc"]) == _untagged(loc)]
    msg = " or ".join(dict.fromkeys(e["msg"] for e in same))
    value = err.get("input")
    got = f" (got {value!r})" if isinstance(value, str | int | float | bool) else ""
    more = f" (and {len(errors) - len(same)} more)" if len(errors) > len(same) else ""
    return f"{path.name}: {_loc_text(_untagged(loc))}: {msg}{got}{more}"


def _untagged(loc: Iterable[object]) -> tuple:
    return tuple(p for p in loc if not (isinstance(p, str) and "[" in p))


def _model_at(model: type[BaseModel], loc: Iterable[object]) -> type[BaseModel] | None:
    """The pydantic model reached by following ``loc`` (field names, dict keys, list indexes)."""
    current: object = model
    for part in loc:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            fields = {f.alias or n: f for n, f in current.model_fields.items()}
            if not isinstance(part, str) or part not in fields:
                return None
            current = fields[part].annotation
        else:
            args = typing.get_args(current)
            if not args:
                return None
            current = args[-1]
    current = _unwrap(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap(tp: object) -> object:
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
        return models[0] if models else args[0]
    return tp
