"""A strategy: one variant of a proactive service, as data (YAML or a pydantic object).

Trigger (life events or a register signal) → check (regelingen, on what the registers show) →
contact decision (rules, everyone, or a scikit-learn model's score) → channel, after a delay.
Strategies live in ``strategies/*.yaml`` next to this module or anywhere on disk.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sandbox.dataset import EVENT_TYPES
from sandbox.errors import LandscapeError, StrategyError, did_you_mean
from sandbox.landscape import load_defects
from sandbox.proactive.takeup import load_behaviour
from sandbox.yamlfile import read_mapping

__all__ = [
    "Strategy",
    "Trigger",
    "Beslissing",
    "load_strategy",
    "apply_settings",
    "strategies_dir",
    "list_strategies",
    "setting_keys",
]

_DIR = Path(__file__).parent / "strategies"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Trigger(_Strict):
    """What makes the organisation look at a person: life events, a register signal, a scan."""

    gebeurtenissen: list[str] = Field(default_factory=list)
    signaal: str | None = None
    periodiek_maanden: int | None = Field(default=None, ge=1, le=24)
    filter: str | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Trigger:
        kinds = [bool(self.gebeurtenissen), self.signaal is not None, self.periodiek_maanden]
        if sum(bool(k) for k in kinds) != 1:
            raise ValueError("give exactly one of gebeurtenissen, signaal or periodiek_maanden")
        return self


class Beslissing(_Strict):
    """Whom of the triggered units to contact."""

    soort: Literal["regels", "iedereen", "model"] = "regels"
    model: str | None = None
    drempel: float = Field(default=0.5, ge=0, le=1)
    bestaande_gebruikers_uitsluiten: bool = True

    @model_validator(mode="after")
    def _model_needs_path(self) -> Beslissing:
        if self.soort == "model" and not self.model:
            raise ValueError("soort 'model' needs 'model': the path of a trained model file")
        return self


class Strategy(_Strict):
    """One proactive-service variant; logged whole as the run's params."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    naam: str
    omschrijving: str = ""
    organisatie: str | None = None
    doel: str = "proactieve_dienstverlening"
    amvb: list[str] = Field(default_factory=list)
    trigger: Trigger | None = None
    vertraging_dagen: int = Field(default=14, ge=0, le=365)
    regelingen: list[str] = Field(min_length=1)
    leest: list[str] = Field(default_factory=list)
    beslissing: Beslissing = Beslissing()
    kanaal: str | None = None
    defecten: dict[str, Any] = Field(default_factory=dict)
    seed: int = 1

    @model_validator(mode="after")
    def _outreach_is_complete(self) -> Strategy:
        if self.trigger is None:
            return self
        missing = [k for k in ("organisatie", "kanaal") if getattr(self, k) is None]
        if missing:
            raise ValueError(f"a strategy with a trigger needs {' and '.join(missing)}")
        return self

    @property
    def reactive(self) -> bool:
        """No outreach at all: the baseline every other strategy is compared with."""
        return self.trigger is None


def strategies_dir() -> Path:
    """The folder of the example strategies shipped with the sandbox."""
    return _DIR


def list_strategies() -> list[str]:
    """Names of the shipped example strategies."""
    return sorted(p.stem for p in _DIR.glob("*.yaml"))


def _read(source: str | Path) -> tuple[Path, dict]:
    path = Path(source)
    if not path.suffix and not path.exists():
        path = _DIR / f"{source}.yaml"
        if not path.exists():
            known = list_strategies()
            hint = did_you_mean(str(source), known)
            raise StrategyError(
                f"no strategy '{source}'{hint}: give a YAML path or one of {', '.join(known)}"
            )
    return path, read_mapping(path, StrategyError, "strategy file")


def _validate(where: str, raw: dict) -> Strategy:
    try:
        return Strategy.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            section = {(): Strategy, ("trigger",): Trigger, ("beslissing",): Beslissing}
            parent = section.get(tuple(err["loc"][:-1]))
            allowed = ", ".join(parent.model_fields) if parent else "see docs/proactive.md"
            msg = f"unknown field; allowed: {allowed}"
        raise StrategyError(f"{where}: {field or 'strategy'}: {msg}") from None


def _check_parts(strategy: Strategy, where: str) -> None:
    """The channel and the defect overrides exist (their catalogs live in other modules)."""
    if strategy.kanaal is not None:
        try:
            load_behaviour().channel(strategy.kanaal)
        except StrategyError as exc:
            raise StrategyError(f"{where}: kanaal: {exc}") from None
    try:
        load_defects(strategy.defecten)
    except LandscapeError as exc:
        text = str(exc).split(": ", 1)[-1]
        raise StrategyError(f"{where}: {text}") from None


def check_events(strategy: Strategy, where: str) -> None:
    """Every trigger event is one of the dataset contract's event types."""
    if strategy.trigger is None:
        return
    for event in strategy.trigger.gebeurtenissen:
        if event not in EVENT_TYPES:
            hint = did_you_mean(event, EVENT_TYPES)
            raise StrategyError(
                f"{where}: trigger.gebeurtenissen: unknown event '{event}'{hint}; "
                f"known: {', '.join(EVENT_TYPES)}"
            )


def load_strategy(source: str | Path, settings: list[str] | None = None) -> Strategy:
    """Load a strategy by name (shipped example) or path, with ``key=value`` settings applied.

    Raises:
        StrategyError: a missing file, bad YAML, an unknown field or event, a bad setting.
    """
    path, raw = _read(source)
    raw = apply_settings(raw, settings or [], str(path))
    strategy = _validate(str(path), raw)
    _check_parts(strategy, str(path))
    model = strategy.beslissing.model
    if model and not Path(model).is_absolute() and (path.parent / model).exists():
        # a model path in a strategy file is relative to that file
        strategy.beslissing.model = str((path.parent / model).resolve())
    check_events(strategy, str(path))
    return strategy


def setting_keys(raw: dict, prefix: str = "") -> list[str]:
    """The dotted keys a ``--set`` may name for this strategy."""
    keys = []
    top = {name: raw.get(name) for name in Strategy.model_fields}
    fields: dict[str, Any] = raw if prefix else top
    for key, value in fields.items():
        name = f"{prefix}{key}"
        keys.append(name)
        if key == "trigger":
            keys += [f"trigger.{k}" for k in Trigger.model_fields]
        elif key == "beslissing":
            keys += [f"beslissing.{k}" for k in Beslissing.model_fields]
        elif isinstance(value, dict) and key == "defecten":
            keys += setting_keys(value, f"{name}.")
    return keys


def apply_settings(raw: dict, settings: list[str], where: str = "strategy") -> dict:
    """Apply ``key=value`` settings (dotted keys, YAML values) to a raw strategy mapping.

    ``defecten.<...>`` keys may name any defect setting (checked when the run starts);
    all other keys must be strategy fields.

    Example:
        ``apply_settings(raw, ["kanaal=telefoon", "beslissing.drempel=0.3"])``
    """
    out = copy.deepcopy(raw)
    for setting in settings:
        key, sep, text = setting.partition("=")
        key = key.strip()
        if not sep or not key:
            raise StrategyError(f"--set '{setting}': expected key=value, e.g. kanaal=telefoon")
        parts = key.split(".")
        valid = setting_keys(out)
        if parts[0] != "defecten" and key not in valid:
            hint = did_you_mean(key, valid)
            raise StrategyError(
                f"--set {key}: no such setting{hint}; valid: {', '.join(valid)}, defecten.<...>"
            )
        try:
            value = yaml.safe_load(text) if text.strip() else None
        except yaml.YAMLError:
            value = text
        node = out
        for part in parts[:-1]:
            if not isinstance(node.get(part), dict):
                node[part] = {}
            node = node[part]
        node[parts[-1]] = value
    return out
