"""Reference population: calibration, households, identities and life events."""

from sandbox.world.check import SMALL_POPULATION, CheckRow, check_population
from sandbox.world.events import EVENT_TYPES
from sandbox.world.generate import Population, generate
from sandbox.world.recipe import Recipe, load_recipe
from sandbox.world.replay import addresses_on, alive_on, households_on
from sandbox.world.store import (
    check_dataset,
    generate_dataset,
    list_population_datasets,
    recipes_dir,
    resolve_recipe,
)

__all__ = [
    "EVENT_TYPES",
    "SMALL_POPULATION",
    "CheckRow",
    "Population",
    "Recipe",
    "addresses_on",
    "alive_on",
    "check_dataset",
    "check_population",
    "generate",
    "generate_dataset",
    "households_on",
    "list_population_datasets",
    "load_recipe",
    "recipes_dir",
    "resolve_recipe",
]
