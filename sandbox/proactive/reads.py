"""What a strategy reads: the register attributes its trigger, check and decision need.

`planned_reads` derives them from the strategy, the regelingen's inputs and the landscape's
column map, and refuses a strategy that does not declare a register it needs; `check_reads`
stops a strict run whose reads lack a legal basis before any work is done.
"""

from __future__ import annotations

import duckdb

from sandbox.errors import (
    AccessDeniedError,
    LandscapeError,
    RuleError,
    StrategyError,
    did_you_mean,
)
from sandbox.landscape import EVENT_REGISTER, Landscape, Policy
from sandbox.proactive.strategy import Strategy
from sandbox.rules import PERSON_COLUMNS
from sandbox.rules.catalog import parse_refs

__all__ = ["planned_reads", "check_reads", "check_expression"]


def check_expression(expression: str, field: str, where: str) -> set[str]:
    """The person-frame columns an expression reads; a StrategyError if it is not valid."""
    try:
        refs = parse_refs(expression)
    except (RuleError, ValueError, duckdb.Error) as exc:
        raise StrategyError(f"{where}: {field}: not a valid expression ({exc})") from None
    unknown = sorted(refs - set(PERSON_COLUMNS))
    if unknown:
        hint = did_you_mean(unknown[0], PERSON_COLUMNS)
        raise StrategyError(
            f"{where}: {field}: unknown column '{unknown[0]}'{hint}; "
            f"a trigger expression reads the person frame (see docs/rules.md)"
        )
    return refs


def planned_reads(
    strategy: Strategy, prepared_regelingen: dict, landscape: Landscape, model=None
) -> dict[str, list[str]]:
    """The register attributes the strategy needs, per register, checked against ``leest``.

    With ``beslissing: model`` the model's feature columns are reads too; pass the loaded
    `ContactModel` as ``model`` (else it is loaded from the strategy's path).

    Raises:
        StrategyError: an unknown regeling or register, or a needed register that the strategy
            does not declare under ``leest``.
    """
    where = f"strategy {strategy.id}"
    for register in strategy.leest:
        try:
            landscape.check_register(register)
        except LandscapeError as exc:  # as the strategy's own error class
            raise StrategyError(f"{where}: leest: {exc}") from None
    for name in strategy.regelingen:
        if name not in prepared_regelingen:
            hint = did_you_mean(name, prepared_regelingen)
            raise StrategyError(
                f"{where}: regelingen: unknown regeling '{name}'{hint}; "
                f"known: {', '.join(sorted(prepared_regelingen))}"
            )
    needed: dict[str, dict[str, str]] = {}

    def need(column: str, why: str) -> None:
        register, attribute = landscape.column_source(column)
        needed.setdefault(register, {}).setdefault(attribute, why)

    if strategy.reactive:
        return {}
    if strategy.beslissing.soort == "model":
        if model is None:
            from sandbox.proactive.model import load_model

            model = load_model(strategy.beslissing.model)
        if model.regeling not in strategy.regelingen:
            raise StrategyError(
                f"{where}: beslissing.model was trained for {model.regeling}, which is not "
                f"among the strategy's regelingen ({', '.join(strategy.regelingen)})"
            )
        for column in model.features:
            need(column, f"model ({column})")
    for name in strategy.regelingen:
        if strategy.beslissing.soort == "regels":
            for item in prepared_regelingen[name].inputs:
                need(item.kolom, f"{name} ({item.kolom})")
        if strategy.beslissing.bestaande_gebruikers_uitsluiten:
            payer = landscape.payer(name)
            needed.setdefault(payer, {}).setdefault("uitkeringen", f"wie {name} al ontvangt")
    trigger = strategy.trigger
    for event in trigger.gebeurtenissen:
        register, attribute = EVENT_REGISTER[event]
        needed.setdefault(register, {}).setdefault(attribute, f"gebeurtenis {event}")
    for field, expression in (
        ("trigger.signaal", trigger.signaal),
        ("trigger.filter", trigger.filter),
    ):
        if expression:
            for column in sorted(check_expression(expression, field, where)):
                if column not in ("peildatum", "jaar", "person_id"):
                    need(column, field)
    missing = [r for r in needed if r not in strategy.leest]
    if missing:
        register = missing[0]
        why = next(iter(needed[register].values()))
        raise StrategyError(
            f"{where}: reads {register} ({why}) but 'leest' does not declare it; "
            f"add '{register}' to leest (declared: {', '.join(strategy.leest) or 'none'})"
        )
    return {r: sorted(attrs) for r, attrs in needed.items()}


def check_reads(policy: Policy, strategy: Strategy, reads: dict[str, list[str]]) -> None:
    """Fail fast: a strict run whose planned reads lack a legal basis stops before any work.

    Raises:
        AccessDeniedError: the first read without basis, naming it and what is missing.
    """
    if strategy.reactive:
        return
    for register, attributes in reads.items():
        for d in policy.check(
            strategy.organisatie, strategy.doel, register, attributes, strategy.amvb
        ):
            if not d.toegestaan:
                raise AccessDeniedError(d.reden)
