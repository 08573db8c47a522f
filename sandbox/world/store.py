"""Reference populations in the dataset store: recipe lookup, generate-and-write, check, list."""

from __future__ import annotations

import os
from pathlib import Path

from sandbox.dataset import ensure_absent, list_datasets, load_dataset, read_manifest, write_dataset
from sandbox.errors import RecipeError
from sandbox.world.check import CheckRow, check_population
from sandbox.world.generate import Progress, generate
from sandbox.world.recipe import Recipe, load_recipe

__all__ = [
    "recipes_dir",
    "resolve_recipe",
    "generate_dataset",
    "check_dataset",
    "list_population_datasets",
]


def recipes_dir() -> Path:
    """Where recipes live: ``$SANDBOX_RECIPES``, else ``synthetic/recipes`` under the cwd."""
    env = os.environ.get("SANDBOX_RECIPES")
    return Path(env) if env else Path.cwd() / "synthetic" / "recipes"


def resolve_recipe(recipe: str, **overrides: object) -> Recipe:
    """Load a recipe given by name (``nl-default``) or by path, with CLI overrides applied.

    Raises:
        RecipeError: no such recipe, or it does not validate.
    """
    path = Path(recipe)
    if not path.exists():
        named = recipes_dir() / (recipe if path.suffix in (".yaml", ".yml") else f"{recipe}.yaml")
        if not named.is_file():
            known = sorted(p.stem for p in recipes_dir().glob("*.yaml"))
            raise RecipeError(
                f"no recipe '{recipe}' in {recipes_dir()} (known: {', '.join(known) or 'none'}); "
                "give a recipe name or the path of a recipe YAML file "
                "(run from the project folder, or set SANDBOX_RECIPES)"
            )
        path = named
    return load_recipe(path, **overrides)


def generate_dataset(
    recipe: Recipe, *, overwrite: bool = False, progress: Progress | None = None
) -> tuple[Path, dict]:
    """Generate the population of ``recipe`` and write it as a dataset of kind ``reference``.

    Args:
        recipe: the validated recipe.
        overwrite: replace an existing dataset of the same name.
        progress: optional callback ``(step, done, total)``.

    Returns:
        The dataset folder and its manifest.

    Raises:
        DatasetExistsError: the name is taken and ``overwrite`` is false (checked before any
            work is done).
    """
    ensure_absent(recipe.name, overwrite)
    population = generate(recipe, progress)
    manifest = {
        "kind": "reference",
        "recipe": recipe.model_dump(),
        "parent": None,
        "seed": recipe.seed,
        "period": recipe.period.model_dump(),
        "bsn": population.bsn,
    }
    tables = {
        "households": population.households,
        "persons": population.persons,
        "events": population.events,
    }
    path = write_dataset(recipe.name, tables, manifest, overwrite=overwrite)
    return path, read_manifest(recipe.name)


def check_dataset(name: str) -> list[CheckRow]:
    """Load a dataset and compare it with CBS (see :mod:`sandbox.world.check`)."""
    data = load_dataset(name)
    return check_population(data.persons, data.households, data.events, data.manifest["period"])


def list_population_datasets() -> list[dict]:
    """The manifests of all datasets in the store, by name."""
    return [read_manifest(name) for name in list_datasets()]
