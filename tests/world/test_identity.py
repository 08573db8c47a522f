"""Tests for synthetic identities: names, addresses and the BSN rule."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from faker.providers.address.nl_NL import Provider as AddressProvider
from faker.providers.person.nl_NL import Provider as PersonProvider

from sandbox.world.identity import (
    BsnAllocator,
    addresses,
    elfproef,
    faker_baseline,
    first_names,
    identities,
    surnames,
)

# Weighted sums worked out by hand with weights 9, 8, 7, 6, 5, 4, 3, 2, -1:
# 111222333: 9+8+7+12+10+8+9+6-3 = 66 = 6 * 11
# 123456782: 9+16+21+24+25+24+21+16-2 = 154 = 14 * 11
# 999999990: 9 * (9+8+7+6+5+4+3+2) - 0 = 396 = 36 * 11
# 012345672: 0+8+14+18+20+20+18+14-2 = 110 = 10 * 11
VALID = ["111222333", "123456782", "999999990", "012345672"]
# 111222334: 66 - 1 = 65; 123456783: 153; 000000000: sum 0, excluded by the rule.
INVALID = ["111222334", "123456783", "000000000"]
N_VALID_999 = 90_909


def test_elfproef_accepts_hand_checked_valid_numbers_as_strings_and_ints() -> None:
    assert elfproef(np.array(VALID)).all()
    assert elfproef(np.array([int(v) for v in VALID])).all()


def test_elfproef_rejects_failing_sums_and_malformed_input() -> None:
    assert not elfproef(np.array(INVALID)).any()
    assert not elfproef(np.array([int(v) for v in INVALID])).any()
    malformed = np.array(["11122233", "1112223330", "11122233a", " 11222333", ""], dtype=object)
    assert not elfproef(malformed).any()
    assert not elfproef(np.array([-111222333, 1_111_222_333])).any()


def test_bsn_allocator_hands_out_the_whole_valid_999_range_first() -> None:
    allocator = BsnAllocator(seed=7)
    first = allocator.take(N_VALID_999)
    assert first.dtype == np.dtype("U9")
    assert all(len(b) == 9 for b in first[:100])
    assert np.char.startswith(first, "999").all()
    assert elfproef(first).all()
    # Every valid number of the range, counted independently of the allocator.
    range_999 = np.arange(999_000_000, 1_000_000_000)
    assert elfproef(range_999).sum() == N_VALID_999
    assert len(np.unique(first)) == N_VALID_999

    after = allocator.take(1_000)
    assert np.char.startswith(after, "999").all()
    assert not elfproef(after).any()
    assert allocator.summary()["elfproef_geldig"] == N_VALID_999
    assert allocator.summary()["elfproef_ongeldig"] == 1_000


def test_bsn_allocator_moves_to_998_with_failing_numbers_when_999_is_used_up() -> None:
    allocator = BsnAllocator(seed=3)
    whole_999 = allocator.take(1_000_000)
    # Compared as integers: sorting a million strings would dominate the run time.
    as_int = whole_999.astype(np.int64)
    assert len(np.unique(as_int)) == 1_000_000
    assert np.char.startswith(whole_999, "999").all()
    assert elfproef(whole_999).sum() == N_VALID_999

    more = allocator.take(5_000)
    assert np.char.startswith(more, "998").all()
    assert not elfproef(more).any()
    assert not np.isin(more.astype(np.int64), as_int).any()
    summary = allocator.summary()
    assert summary["elfproef_geldig"] == N_VALID_999
    assert summary["elfproef_ongeldig"] == 1_005_000 - N_VALID_999
    assert isinstance(summary["regel"], str) and "elfproef" in summary["regel"]


def test_bsn_allocator_is_unique_across_takes_and_deterministic_by_seed() -> None:
    sizes = [10, 50_000, 0, 45_000, 3]
    runs = []
    for seed in (11, 11, 12):
        allocator = BsnAllocator(seed=seed)
        runs.append(np.concatenate([allocator.take(n) for n in sizes]))
    a, b, c = runs
    assert len(a) == sum(sizes)
    assert len(np.unique(a)) == len(a)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    # The stream does not depend on how it is cut into takes.
    np.testing.assert_array_equal(BsnAllocator(seed=11).take(sum(sizes)), a)


def test_bsn_allocator_rejects_a_negative_count() -> None:
    with pytest.raises(ValueError, match="n must be >= 0"):
        BsnAllocator(seed=1).take(-1)


def test_first_names_follow_sex_and_use_both_lists() -> None:
    rng = np.random.default_rng(0)
    geslacht = np.where(rng.random(20_000) < 0.5, "M", "V")
    names = first_names(rng, geslacht)
    male, female = (
        set(PersonProvider.first_names_male),
        set(PersonProvider.first_names_female),
    )
    assert set(names[geslacht == "M"]) <= male
    assert set(names[geslacht == "V"]) <= female
    # Most of each list shows up, so the draw is not stuck on a few names.
    assert len(set(names[geslacht == "M"])) > 0.9 * len(male)
    assert len(set(names[geslacht == "V"])) > 0.9 * len(female)


def test_first_names_reject_an_unknown_sex() -> None:
    with pytest.raises(ValueError, match="'M' or 'V'"):
        first_names(np.random.default_rng(0), np.array(["M", "X"]))


def test_surnames_carry_a_tussenvoegsel_for_roughly_a_third() -> None:
    tussenvoegsel, achternaam = surnames(np.random.default_rng(1), 10_000)
    assert len(tussenvoegsel) == len(achternaam) == 10_000
    assert all(isinstance(t, str) for t in tussenvoegsel)
    share = np.mean(tussenvoegsel != "")
    assert 0.20 <= share <= 0.45
    assert {"van", "de", "van der", "ter", "'t"} <= set(tussenvoegsel)


def test_surnames_are_cleaned_of_prefixes_and_historic_oddities() -> None:
    tussenvoegsel, achternaam = surnames(np.random.default_rng(2), 20_000)
    assert not any(" " in a or "," in a for a in achternaam)
    assert all(a[0].isupper() and not a.isupper() for a in achternaam)
    assert not any(re.search(r"(dr|sz|szoen|dochter)$", a) for a in achternaam)
    assert not set(achternaam) & {
        "VI",
        "Adriaensdr",
        "Jansdr",
        "Cornelisz",
        "Segerszoen",
    }
    # Faker's "Van Bragt" is split into tussenvoegsel "van" and achternaam "Bragt".
    assert "Bragt" in set(achternaam[tussenvoegsel == "van"])
    assert not any(a.lower().startswith(("van ", "de ", "ter ")) for a in achternaam)


def test_identities_have_one_row_per_person() -> None:
    geslacht = np.array(["V", "M", "M", "V"] * 250)
    df = identities(np.random.default_rng(3), geslacht)
    assert list(df.columns) == ["voornaam", "tussenvoegsel", "achternaam"]
    assert len(df) == 1_000
    assert df.notna().all().all()


def test_addresses_are_unique_even_with_many_households_in_one_place() -> None:
    rng = np.random.default_rng(4)
    # 150k households in Urk alone must collide on straat+huisnummer before resolution.
    woonplaats = np.array(["Urk"] * 150_000 + ["Goes"] * 1_000 + ["Ede"] * 10, dtype=object)
    adres = addresses(rng, woonplaats)
    df = pd.DataFrame(adres)
    assert len(df) == len(woonplaats)
    assert not df.duplicated(["straat", "huisnummer", "woonplaats"]).any()
    assert not df.duplicated(["postcode", "huisnummer"]).any()
    np.testing.assert_array_equal(adres["woonplaats"], woonplaats)


def test_addresses_have_dutch_postcodes_and_sensible_house_numbers() -> None:
    adres = addresses(np.random.default_rng(5), np.array(["Utrecht", "Zwolle"] * 20_000))
    postcode = adres["postcode"]
    assert all(re.fullmatch(r"[1-9][0-9]{3} [A-Z]{2}", p) for p in postcode)
    letters = {p[-2:] for p in postcode}
    assert not letters & {"SS", "SD", "SA"}
    huisnummer = adres["huisnummer"]
    assert huisnummer.dtype == np.int32
    assert huisnummer.min() >= 1
    assert np.median(huisnummer) < 60  # skewed towards small numbers
    suffixes = tuple(AddressProvider.street_suffixes)
    assert all(s.endswith(suffixes) and s[0].isupper() for s in adres["straat"])
    assert len(set(adres["straat"])) > 1_000


def test_addresses_are_reproducible_from_the_generator_seed() -> None:
    woonplaats = np.array(["Leiden"] * 500)
    a = addresses(np.random.default_rng(6), woonplaats)
    b = addresses(np.random.default_rng(6), woonplaats)
    for key in a:
        np.testing.assert_array_equal(a[key], b[key])


def test_faker_baseline_builds_the_same_columns() -> None:
    df = faker_baseline(20, seed=1)
    assert list(df.columns) == [
        "voornaam",
        "achternaam",
        "straat",
        "huisnummer",
        "postcode",
    ]
    assert len(df) == 20
    pd.testing.assert_frame_equal(df, faker_baseline(20, seed=1))
