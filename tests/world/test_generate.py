"""Generation guards: recipe checks that need the calibration data, and the memory estimate."""

from __future__ import annotations

import pytest

from sandbox.errors import RecipeError
from sandbox.world import Recipe, generate
from sandbox.world.generate import check_memory, month_bounds


def test_unknown_gemeente_codes_are_named_before_any_work():
    recipe = Recipe(name="x", persons=100, gemeenten=["GM0363", "GM9999"])
    with pytest.raises(RecipeError, match="unknown gemeente codes GM9999"):
        generate(recipe)


def test_a_recipe_limited_to_gemeenten_stays_inside_them():
    recipe = Recipe(name="x", persons=1500, seed=2, gemeenten=["GM0363", "GM0344"])
    population = generate(recipe)
    assert set(population.households["gemeente_code"]) <= {"GM0363", "GM0344"}
    moves = population.events[population.events["soort"] == "verhuizing"]
    assert set(moves["gemeente_code"].dropna()) <= {"GM0363", "GM0344"}
    # Amsterdam is about 2.5 times Utrecht: the larger one gets most households.
    counts = population.households["gemeente_code"].value_counts()
    assert counts["GM0363"] > 1.5 * counts["GM0344"]


def test_a_population_larger_than_memory_is_refused_up_front():
    with pytest.raises(RecipeError, match=r"GiB of memory.*lower --persons"):
        check_memory(10**12)
    check_memory(1000)  # a small one passes


def test_month_bounds_cover_whole_calendar_months():
    months = month_bounds("2024-12", "2025-03")
    assert len(months) == 4
    days = [end - start for start, end in months]
    assert days == [31, 31, 28, 31]
    assert all(months[i][1] == months[i + 1][0] for i in range(3))
