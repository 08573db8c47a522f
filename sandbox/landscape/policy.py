"""The access policy: which organisation may read which register attribute, for which purpose.

Loaded from ``data/toegang.yaml``: rules of organisation × purpose × register → attributes,
each with its legal basis, some only under an AMvB a scenario must declare. A read that no
rule covers has no legal basis and is denied.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sandbox.errors import LandscapeError
from sandbox.landscape.registers import (
    DATA_DIR,
    Grondslag,
    Landscape,
    _unknown,
    _validation_message,
    load_landscape,
)
from sandbox.yamlfile import read_mapping

__all__ = ["Amvb", "Decision", "Policy", "Regel", "load_policy"]

_NAME = r"^[a-z][a-z0-9_]*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class _Doel(_Strict):
    omschrijving: str = Field(min_length=3)


class Amvb(_Strict):
    """An implementing order (AMvB) a scenario may assume, with its status in law-making."""

    omschrijving: str = Field(min_length=3)
    status: str = Field(min_length=3)
    link: str | None = Field(default=None, pattern=r"^https://")


class Regel(_Strict):
    """One access rule: ``organisatie`` may read ``attributen`` of ``register`` for ``doel``."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, populate_by_name=True)

    organisatie: str
    doel: str
    register_id: str = Field(alias="register")
    attributen: Literal["*"] | list[str] = Field(min_length=1)
    vereist_amvb: str | None = None
    grondslag: Grondslag

    def covers(self, attribuut: str) -> bool:
        """Whether the rule names ``attribuut`` (``"*"``: every attribute of the register)."""
        return self.attributen == "*" or attribuut in self.attributen


class _ToegangFile(_Strict):
    doelen: dict[str, _Doel] = Field(min_length=1)
    amvb: dict[str, Amvb] = Field(default_factory=dict)
    regels: list[Regel] = Field(min_length=1)


@dataclass(frozen=True)
class Decision:
    """The outcome for one attribute: allowed with its legal basis, or denied with the reason."""

    register: str
    attribuut: str
    toegestaan: bool
    grondslag: str
    reden: str


@dataclass
class Policy:
    """The access-policy catalog, checked against the landscape it refers to.

    Example:
        >>> policy = load_policy()
        >>> [d.toegestaan for d in policy.check("svb", "proactieve_dienstverlening", "svb",
        ...                                     ["aow_opbouwjaren"])]
        [True]
    """

    landscape: Landscape
    doelen: dict[str, str]
    amvb: dict[str, Amvb]
    regels: list[Regel]
    bron: str = "toegang.yaml"

    def check(
        self,
        organisatie: str,
        doel: str,
        register: str,
        attributen: Iterable[str],
        amvb: Iterable[str] = (),
    ) -> list[Decision]:
        """Decide, per attribute, whether ``organisatie`` may read it for ``doel``.

        A rule without ``vereist_amvb`` allows the read; a rule that needs an AMvB allows it
        only when that AMvB is among ``amvb`` (the scenario assumes it exists).

        Args:
            organisatie: organisation id, e.g. ``dienst_toeslagen``.
            doel: purpose id, e.g. ``proactieve_dienstverlening``.
            register: register id, e.g. ``polis``.
            attributen: attribute ids of that register.
            amvb: the AMvB's the scenario declares.

        Returns:
            One `Decision` per attribute, in the order given.

        Raises:
            LandscapeError: unknown organisation, purpose, register, attribute or AMvB.
        """
        self.landscape.check_organisation(organisatie)
        self.check_purpose(doel)
        self.landscape.check_register(register)
        declared = [amvb] if isinstance(amvb, str) else list(amvb)
        for name in declared:
            self.check_amvb(name)
        names = [attributen] if isinstance(attributen, str) else list(attributen)
        for name in names:
            self.landscape.check_attribute(register, name)
        return [self._decide(organisatie, doel, register, a, set(declared)) for a in names]

    def _decide(self, org: str, doel: str, register: str, attr: str, declared: set) -> Decision:
        matches = [
            r
            for r in self.regels
            if (r.organisatie, r.doel, r.register_id) == (org, doel, register) and r.covers(attr)
        ]
        for rule in matches:
            if rule.vereist_amvb is None:
                return Decision(register, attr, True, rule.grondslag.text(), "")
        for rule in matches:
            if rule.vereist_amvb in declared:
                basis = f"{rule.grondslag.text()}; AMvB '{rule.vereist_amvb}' (aangenomen)"
                return Decision(register, attr, True, basis, "")
        who = f"{org} mag {register}.{attr} niet lezen voor {doel}"
        if matches:
            name = matches[0].vereist_amvb
            reden = (
                f"{who}: vereist AMvB '{name}' ({self.amvb[name].status}); verklaar die in de "
                "strategie onder 'amvb' als het scenario ervan uitgaat"
            )
        else:
            target = f"{org} × {doel} × {register}.{attr}"
            reden = f"{who}: geen grondslag: geen regel in {self.bron} voor {target}"
        return Decision(register, attr, False, "", reden)

    def check_purpose(self, doel: str) -> None:
        """Raise a `LandscapeError` (with "did you mean") unless ``doel`` is a known purpose."""
        if doel not in self.doelen:
            raise LandscapeError(_unknown("purpose (doel)", doel, self.doelen))

    def check_amvb(self, naam: str) -> None:
        """Raise a `LandscapeError` (with "did you mean") unless ``naam`` is a known AMvB."""
        if naam not in self.amvb:
            raise LandscapeError(_unknown("AMvB", naam, self.amvb))

    def rules_table(self) -> list[dict]:
        """The rules as rows for docs and the CLI, in file order.

        Returns:
            Dicts with ``organisatie``, ``doel``, ``register``, ``attributen`` (``*`` or a
            comma list), ``vereist_amvb`` (or ``""``), ``grondslag``, ``link``, ``toelichting``.
        """
        return [
            {
                "organisatie": r.organisatie,
                "doel": r.doel,
                "register": r.register_id,
                "attributen": r.attributen if r.attributen == "*" else ", ".join(r.attributen),
                "vereist_amvb": r.vereist_amvb or "",
                "grondslag": r.grondslag.text(),
                "link": r.grondslag.link,
                "toelichting": (r.grondslag.toelichting or "").strip(),
            }
            for r in self.regels
        ]


def load_policy(path: Path | str | None = None, landscape: Landscape | None = None) -> Policy:
    """Load and validate the access policy (default: the packaged ``data/toegang.yaml``).

    Args:
        path: the policy file.
        landscape: the landscape the rules refer to (default: `load_landscape()`).

    Raises:
        LandscapeError: YAML syntax error, unknown field, bad value, or a rule naming an
            unknown organisation, purpose, register, attribute or AMvB — one line naming the
            file, the rule index and the field.
    """
    path = Path(path) if path else DATA_DIR / "toegang.yaml"
    landscape = landscape or load_landscape()
    data = read_mapping(path, LandscapeError)
    try:
        parsed = _ToegangFile.model_validate(data)
    except ValidationError as exc:
        raise LandscapeError(_validation_message(path, exc, _ToegangFile)) from None
    _check_policy(path, parsed, landscape)
    return Policy(
        landscape=landscape,
        doelen={k: v.omschrijving for k, v in parsed.doelen.items()},
        amvb=dict(parsed.amvb),
        regels=list(parsed.regels),
        bron=path.name,
    )


def _check_policy(path: Path, parsed: _ToegangFile, landscape: Landscape) -> None:
    for section in ("doelen", "amvb"):
        for key in getattr(parsed, section):
            if not re.match(_NAME, key):
                raise LandscapeError(f"{path.name}: {section}.{key}: ids must be lower_snake_case")
    seen: dict[tuple, int] = {}
    for i, rule in enumerate(parsed.regels):
        at = f"{path.name}: regels[{i}]"
        if rule.organisatie not in landscape.organisaties:
            msg = _unknown("organisation", rule.organisatie, landscape.organisaties)
            raise LandscapeError(f"{at}.organisatie: {msg}")
        if rule.doel not in parsed.doelen:
            raise LandscapeError(
                f"{at}.doel: {_unknown('purpose (doel)', rule.doel, parsed.doelen)}"
            )
        if rule.register_id not in landscape.registers:
            msg = _unknown("register", rule.register_id, landscape.registers)
            raise LandscapeError(f"{at}.register: {msg}")
        known = landscape.registers[rule.register_id].attributen
        for attr in [] if rule.attributen == "*" else rule.attributen:
            if attr not in known:
                msg = _unknown(f"attribute of register '{rule.register_id}'", attr, known)
                raise LandscapeError(f"{at}.attributen: {msg}")
        if rule.vereist_amvb is not None and rule.vereist_amvb not in parsed.amvb:
            msg = _unknown("AMvB", rule.vereist_amvb, parsed.amvb)
            raise LandscapeError(f"{at}.vereist_amvb: {msg}")
        key = (
            rule.organisatie,
            rule.doel,
            rule.register_id,
            str(rule.attributen),
            rule.vereist_amvb,
        )
        if key in seen:
            raise LandscapeError(f"{at}: repeats regels[{seen[key]}]; remove one of them")
        seen[key] = i
