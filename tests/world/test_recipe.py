"""Tests for recipes: every bad input is one actionable line; overrides win over the file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sandbox.errors import RecipeError, SandboxError
from sandbox.world import Recipe, load_recipe, resolve_recipe

ROOT = Path(__file__).resolve().parents[2]
RECIPES = ROOT / "synthetic" / "recipes"
SHIPPED = ("nl-default", "nl-small", "nl-full")

GOOD = 'name: proef\npersons: 500\nseed: 3\nperiod:\n  van: "2025-01"\n  tot: "2025-12"\n'


@pytest.fixture
def recipes_env(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Resolve recipe names against the repo's recipes, whatever the working directory."""
    monkeypatch.setenv("SANDBOX_RECIPES", str(RECIPES))
    return RECIPES


def write(tmp_path: Path, text: str, name: str = "recept.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def recipe_error(path: Path, **overrides: object) -> str:
    """Load ``path``, expect a RecipeError; return its message with the file name cut out.

    The temporary path holds the test's name, so field names are looked for in the rest.
    """
    with pytest.raises(RecipeError) as info:
        load_recipe(path, **overrides)
    message = str(info.value)
    assert "\n" not in message, f"message spans lines: {message!r}"
    assert str(path) in message, f"message does not name the file: {message!r}"
    return message.replace(str(path), "<file>")


def test_a_recipe_error_is_a_sandbox_error_so_the_cli_prints_it() -> None:
    assert issubclass(RecipeError, SandboxError)


@pytest.fixture
def good(tmp_path: Path) -> Path:
    return write(tmp_path, GOOD + "gemeenten: [GM0363, GM0599]\n")


def test_a_good_file_gives_exactly_the_values_written_in_it(good: Path) -> None:
    recipe = load_recipe(good)
    assert recipe.name == "proef"
    assert recipe.persons == 500
    assert recipe.seed == 3
    assert (recipe.period.van, recipe.period.tot) == ("2025-01", "2025-12")
    assert recipe.gemeenten == ["GM0363", "GM0599"]


def test_an_unknown_top_level_field_is_named_with_the_allowed_fields(tmp_path: Path) -> None:
    message = recipe_error(write(tmp_path, GOOD + "kleur: rood\n"))
    assert "kleur" in message
    for field in Recipe.model_fields:
        assert field in message, f"allowed field {field!r} not listed: {message!r}"


def test_an_unknown_field_inside_period_is_named_with_van_and_tot(tmp_path: Path) -> None:
    text = 'name: proef\npersons: 500\nperiod:\n  van: "2025-01"\n  tot_en_met: "2025-06"\n'
    message = recipe_error(write(tmp_path, text))
    assert "tot_en_met" in message
    assert "period" in message
    assert "van" in message and re.search(r"\btot\b", message)


@pytest.mark.parametrize(
    ("line", "field", "allowed"),
    [
        ('persons: "veel"', "persons", r"integer"),
        ("persons: 0", "persons", r"greater than 0"),
        ("persons: -5", "persons", r"greater than 0"),
        ("persons: 12.5", "persons", r"integer"),
        ("seed: -1", "seed", r"greater than or equal to 0"),
        ("gemeenten: GM0363", "gemeenten", r"list"),
    ],
    ids=["persons-text", "persons-zero", "persons-negative", "persons-fraction", "seed", "list"],
)
def test_a_bad_value_names_the_field_and_what_is_allowed(
    tmp_path: Path, line: str, field: str, allowed: str
) -> None:
    text = "name: proef\n" + ("" if field == "persons" else "persons: 500\n") + line + "\n"
    message = recipe_error(write(tmp_path, text))
    assert f"'{field}'" in message
    assert re.search(allowed, message), message


def test_a_missing_required_field_is_named(tmp_path: Path) -> None:
    message = recipe_error(write(tmp_path, "persons: 500\n"))
    assert "'name'" in message


@pytest.mark.parametrize("month", ["2025-13", "2025-00", "2025-1", "januari", "2025-01-01"])
def test_a_bad_month_is_shown_with_the_expected_format(tmp_path: Path, month: str) -> None:
    text = f'name: proef\npersons: 500\nperiod:\n  van: "{month}"\n  tot: "2026-12"\n'
    message = recipe_error(write(tmp_path, text))
    assert "period.van" in message
    assert month in message
    assert "YYYY-MM" in message


def test_a_period_that_ends_before_it_starts_names_both_months(tmp_path: Path) -> None:
    text = 'name: proef\npersons: 500\nperiod:\n  van: "2026-03"\n  tot: "2025-11"\n'
    message = recipe_error(write(tmp_path, text))
    assert "period" in message
    assert "2026-03" in message and "2025-11" in message


def test_a_one_month_period_is_allowed(tmp_path: Path) -> None:
    text = 'name: proef\npersons: 500\nperiod:\n  van: "2025-06"\n  tot: "2025-06"\n'
    assert load_recipe(write(tmp_path, text)).period.tot == "2025-06"


@pytest.mark.parametrize("name", ["Mijn Data", "mijn data", "-proef", "proef/../x", "Proef"])
def test_a_bad_dataset_name_is_shown_with_the_allowed_characters(tmp_path: Path, name: str) -> None:
    message = recipe_error(write(tmp_path, f'name: "{name}"\npersons: 500\n'))
    assert "'name'" in message
    assert name in message
    assert "lower-case" in message


def test_malformed_yaml_names_the_file_and_the_line(tmp_path: Path) -> None:
    # A tab may not indent YAML; it sits on line 3.
    message = recipe_error(write(tmp_path, "name: proef\npersons: 500\n\tseed: 3\n"))
    assert re.search(r"\bline 3\b", message), message
    assert "YAML" in message


def test_an_unclosed_list_is_malformed_yaml_with_a_line_number(tmp_path: Path) -> None:
    message = recipe_error(write(tmp_path, "name: proef\ngemeenten: [GM0363, GM0599\npersons: 5\n"))
    assert re.search(r"\bline \d+\b", message), message


@pytest.mark.parametrize(
    "text",
    ["- name: proef\n- persons: 500\n", "gewoon tekst\n"],
    ids=["list", "scalar"],
)
def test_a_file_that_is_not_a_mapping_is_refused(tmp_path: Path, text: str) -> None:
    message = recipe_error(write(tmp_path, text))
    assert "mapping" in message


def test_an_empty_file_says_it_is_empty_and_what_it_needs(tmp_path: Path) -> None:
    message = recipe_error(write(tmp_path, ""))
    assert "empty" in message and "'persons'" in message


def test_a_file_that_is_not_utf8_text_is_a_recipe_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: proef\ndescription: café\npersons: 500\n".encode("latin-1"))
    assert "UTF-8" in recipe_error(path)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    message = recipe_error(tmp_path / "bestaat-niet.yaml")
    assert "does not exist" in message


def test_an_unknown_recipe_name_lists_the_known_recipes(recipes_env: Path) -> None:
    with pytest.raises(RecipeError) as info:
        resolve_recipe("nl-groot")
    message = str(info.value)
    assert "\n" not in message
    assert "nl-groot" in message
    for name in SHIPPED:
        assert name in message


def test_a_recipe_path_is_loaded_without_looking_in_the_recipes_folder(
    recipes_env: Path, good: Path
) -> None:
    assert resolve_recipe(str(good)).name == "proef"


def test_a_missing_recipe_path_is_named(recipes_env: Path, tmp_path: Path) -> None:
    missing = tmp_path / "weg.yaml"
    with pytest.raises(RecipeError, match=re.escape(str(missing))):
        resolve_recipe(str(missing))


def test_overrides_win_over_the_file(good: Path) -> None:
    recipe = load_recipe(good, persons=1234, seed=99, name="anders")
    assert (recipe.persons, recipe.seed, recipe.name) == (1234, 99, "anders")
    assert recipe.period.van == "2025-01"  # untouched fields keep the file's value


def test_none_overrides_are_ignored(good: Path) -> None:
    recipe = load_recipe(good, persons=None, seed=None, name=None)
    assert (recipe.persons, recipe.seed, recipe.name) == (500, 3, "proef")


def test_resolve_recipe_applies_overrides_to_a_named_recipe(recipes_env: Path) -> None:
    recipe = resolve_recipe("nl-small", persons=300, seed=None, name="klein")
    assert (recipe.persons, recipe.name) == (300, "klein")
    assert recipe.seed == load_recipe(recipes_env / "nl-small.yaml").seed


def test_a_bad_override_is_named_as_the_option_it_came_from(good: Path) -> None:
    # The file's own value is fine: the message must blame the option, not the file.
    for overrides, option in (({"persons": 0}, "--persons 0"), ({"name": "Mijn Data"}, "--name")):
        with pytest.raises(RecipeError) as info:
            load_recipe(good, **overrides)
        message = str(info.value)
        assert "\n" not in message
        assert message.startswith(f"option {option}"), message
        assert str(good) not in message


def test_a_bad_value_is_quoted_in_the_message(tmp_path: Path) -> None:
    message = recipe_error(write(tmp_path, "name: proef\npersons: veel\n"))
    assert "'persons' = 'veel'" in message


def test_a_boolean_is_not_a_number_of_persons(tmp_path: Path) -> None:
    assert "'persons' = True" in recipe_error(write(tmp_path, "name: proef\npersons: true\n"))


@pytest.mark.parametrize("name", SHIPPED)
def test_the_shipped_recipes_validate(recipes_env: Path, name: str) -> None:
    recipe = resolve_recipe(name)
    assert recipe.name == name  # the file name and the dataset name agree
    assert recipe.persons > 0
    assert recipe == load_recipe(recipes_env / f"{name}.yaml")


@pytest.mark.parametrize("path", sorted(RECIPES.glob("*.yaml")), ids=lambda p: p.name)
def test_every_recipe_in_the_folder_validates_and_is_named_after_its_file(path: Path) -> None:
    assert load_recipe(path).name == path.stem
