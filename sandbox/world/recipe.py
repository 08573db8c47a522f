"""Dataset recipes: the YAML files in `synthetic/recipes/` that say what population to make."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from sandbox.errors import RecipeError

__all__ = ["Period", "Recipe", "load_recipe"]

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class Period(BaseModel):
    """The simulated period, whole calendar months, both ends included."""

    model_config = ConfigDict(extra="forbid")

    van: str = Field("2025-01", description="first month, YYYY-MM")
    tot: str = Field("2026-12", description="last month, YYYY-MM")

    @field_validator("van", "tot", mode="before")
    @classmethod
    def _month(cls, value: object) -> str:
        text = str(value)
        if not _MONTH.match(text):
            raise ValueError(f"'{text}' is not a month; write YYYY-MM, e.g. 2025-01")
        return text

    @model_validator(mode="after")
    def _order(self) -> Period:
        if self.tot < self.van:
            raise ValueError(f"period ends ({self.tot}) before it starts ({self.van})")
        return self


class Recipe(BaseModel):
    """What population to generate."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="dataset name, also the folder name")
    description: str = ""
    persons: int = Field(gt=0, strict=True, description="persons at the start of the period")
    seed: int = Field(0, ge=0, strict=True)
    period: Period = Field(default_factory=Period)
    gemeenten: list[str] = Field(
        default_factory=list, description="CBS gemeente codes to limit to (empty: all 342)"
    )

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z0-9][a-z0-9_.-]*", value):
            raise ValueError(
                f"'{value}' is not a dataset name; use lower-case letters, digits, '-', '_', '.'"
            )
        return value


def _describe(error: ValidationError) -> tuple[str, str]:
    """Return (top-level field, message) for the first validation error."""
    first = error.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "(top level)"
    field = str(first["loc"][0]) if first["loc"] else ""
    if first["type"] == "extra_forbidden":
        allowed = ", ".join(Recipe.model_fields) if len(first["loc"]) == 1 else "van, tot"
        return field, f"unknown field '{where}'; allowed fields: {allowed}"
    message = first["msg"].removeprefix("Value error, ")
    if "input" in first and not isinstance(first["input"], dict | list):
        return field, f"field '{where}' = {first['input']!r}: {message}"
    return field, f"field '{where}': {message}"


def load_recipe(path: Path, **overrides: object) -> Recipe:
    """Read and validate a recipe file; ``overrides`` replace fields (e.g. ``persons``).

    Args:
        path: the recipe YAML file.
        **overrides: field values that win over the file's (None values are ignored), as given
            on the command line.

    Returns:
        The validated recipe.

    Raises:
        RecipeError: the file is missing, not YAML, or holds an unknown field or a bad value;
            a bad override is named as the option it came from (``--persons``).
    """
    if not path.is_file():
        what = "is a folder, not a recipe file" if path.is_dir() else "does not exist"
        raise RecipeError(f"recipe file {path} {what}; see synthetic/recipes/ for examples")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise RecipeError(f"recipe {path}: not UTF-8 text; save it as UTF-8 YAML") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or exc.__class__.__name__
        raise RecipeError(f"recipe {path}{line}: not valid YAML ({problem})") from None
    if data is None:
        raise RecipeError(f"recipe {path} is empty; it needs at least 'name' and 'persons'")
    if not isinstance(data, dict):
        raise RecipeError(f"recipe {path}: expected a mapping of fields, got {type(data).__name__}")
    given = {k: v for k, v in overrides.items() if v is not None}
    data.update(given)
    try:
        return Recipe.model_validate(data)
    except ValidationError as exc:
        field, message = _describe(exc)
        if field in given:
            raise RecipeError(
                f"option --{field} {given[field]!r}: {message.split(': ', 1)[-1]}"
            ) from None
        raise RecipeError(f"recipe {path}: {message}") from None
