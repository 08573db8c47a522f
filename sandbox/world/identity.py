"""Synthetic identities for the reference population: names, addresses and BSNs.

Faker's nl_NL word lists are read once into numpy arrays; every column is then drawn in
one vectorised pass. `faker_baseline` is the slow per-person path, kept for benchmarks.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import cache

import numpy as np
import pandas as pd
from faker import Faker
from faker.providers.address.nl_NL import Provider as _AddressProvider
from faker.providers.person.nl_NL import Provider as _PersonProvider

from sandbox.errors import SandboxError

__all__ = [
    "TUSSENVOEGSEL_AANDEEL",
    "BsnAllocator",
    "addresses",
    "elfproef",
    "faker_baseline",
    "first_names",
    "identities",
    "surnames",
]

# Source-free assumption: about a third of surnames carry a tussenvoegsel, mostly "van"
# and "de". Faker's list has about a quarter and only a few kinds, so share and mix are
# set here, not inherited. Replace with Meertens/CBS counts once sourced.
TUSSENVOEGSEL_AANDEEL = 0.33
# fmt: off
_TUSSENVOEGSELS: dict[str, float] = {
    "van": 0.28, "de": 0.24, "van der": 0.12, "van den": 0.08, "van de": 0.07,
    "ter": 0.035, "ten": 0.035, "te": 0.02, "den": 0.02, "van 't": 0.02,
    "'t": 0.015, "in 't": 0.01, "uit de": 0.005, "van het": 0.005, "le": 0.005,
}
# fmt: on
# Longest first, so "van der Veen" splits as "van der" + "Veen", not "van" + "der Veen".
_TV_ALTERNATIVES = "|".join(map(re.escape, sorted(_TUSSENVOEGSELS, key=len)[::-1]))
_LEADING_TV = re.compile(f"^({_TV_ALTERNATIVES}) ", re.IGNORECASE)
# Pre-1811 patronymics ("Jansdr", "Cornelisz", "Segerszoen") are not modern surnames.
_PATRONYM = re.compile(r"(dr|sz|szoen|dochter)$")
# A tussenvoegsel with fewer Faker stems than this also borrows the stems after
# "van..." ("Berg", "Veen", "Horst"), which read naturally after "ten" or "in 't" too.
_MIN_OWN_STEMS = 5

# Source-free assumptions: street-suffix mix, pool size, house numbers geometric with
# mean ~40 and capped at 300 before collisions are resolved.
_SUFFIX_GEWICHT = {"straat": 6.0, "laan": 4.0, "weg": 4.0, "singel": 1.5, "hof": 1.5}
_STRAAT_POOL = 4000
_MAX_HUISNUMMER = 300
_HUISNUMMER_P = 1 / 40
# A postcode covers one block of house numbers on one street.
_POSTCODE_BLOK = 20
# PostNL does not issue the letter pairs SA, SD and SS (wartime connotations).
_ABC = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_LETTERS = np.array([a + b for a in _ABC for b in _ABC if a + b not in {"SA", "SD", "SS"}])

# BSNs starting with 999 are the range of the BRP test environment; no resident has one.
_BSN_TESTREEKS = 999
_ELFPROEF_GEWICHTEN = (9, 8, 7, 6, 5, 4, 3, 2, -1)


def _names_and_weights(
    names: Sequence[str] | Mapping[str, float],
) -> tuple[np.ndarray, np.ndarray | None]:
    """Split a Faker list into names and probabilities (None: Faker draws uniformly)."""
    if isinstance(names, Mapping):
        p = np.fromiter(names.values(), dtype=float)
        return np.array(list(names), dtype=object), p / p.sum()
    return np.array(names, dtype=object), None


@cache
def _first_name_pools() -> dict[str, tuple[np.ndarray, np.ndarray | None]]:
    return {
        "M": _names_and_weights(_PersonProvider.first_names_male),
        "V": _names_and_weights(_PersonProvider.first_names_female),
    }


@cache
def _surname_pools() -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Clean Faker's last names into bare surnames and stems per tussenvoegsel.

    A leading tussenvoegsel is split off ("Van Bragt" -> "van", "Bragt"). An entry is
    dropped when the rest still holds a space or comma ("Aelftrud van Wessex",
    "Bourgondië, van"), starts without a capital ("'s Gravensande"), is all capitals
    ("VI") or is a patronymic. Duplicates stay: they are Faker's implicit weights.
    """
    bare: list[str] = []
    stems: dict[str, list[str]] = {tv: [] for tv in _TUSSENVOEGSELS}
    for raw in _PersonProvider.last_names:
        match = _LEADING_TV.match(raw)
        tv, stem = (match.group(1).lower(), raw[match.end() :]) if match else ("", raw)
        odd = " " in stem or "," in stem or not stem[0].isupper() or stem.isupper()
        if not odd and not _PATRONYM.search(stem):
            (stems[tv] if tv else bare).append(stem)
    locative = [s for tv, lst in stems.items() if tv.startswith("van") for s in lst]
    pools = {
        tv: np.array(lst if len(lst) >= _MIN_OWN_STEMS else lst + locative, dtype=object)
        for tv, lst in stems.items()
    }
    return np.array(bare, dtype=object), pools


def first_names(rng: np.random.Generator, geslacht: np.ndarray) -> np.ndarray:
    """Draw a first name per person from Faker's nl_NL list for their sex.

    Args:
        rng: Random generator.
        geslacht: "M" or "V" per person.

    Returns:
        Object array of first names, same shape as `geslacht`.

    Raises:
        ValueError: If `geslacht` holds anything other than "M" or "V".
    """
    geslacht = np.asarray(geslacht)
    onbekend = ~np.isin(geslacht, ["M", "V"])
    if onbekend.any():
        found = sorted(set(geslacht[onbekend].tolist()))[:5]
        raise ValueError(f"geslacht must be 'M' or 'V'; found {found}")
    out = np.empty(geslacht.shape, dtype=object)
    for code, (names, p) in _first_name_pools().items():
        mask = geslacht == code
        out[mask] = names[rng.choice(len(names), size=int(mask.sum()), p=p)]
    return out


def surnames(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Draw `n` surnames, split in tussenvoegsel and achternaam as the BRP stores them.

    Args:
        rng: Random generator.
        n: Number of surnames.

    Returns:
        (tussenvoegsel, achternaam) as object arrays; tussenvoegsel is "" when absent.
    """
    bare, stems = _surname_pools()
    tv_names = np.array(list(_TUSSENVOEGSELS), dtype=object)
    tv_p = np.fromiter(_TUSSENVOEGSELS.values(), dtype=float)
    has_tv = rng.random(n) < TUSSENVOEGSEL_AANDEEL
    tv_idx = np.where(has_tv, rng.choice(len(tv_p), size=n, p=tv_p / tv_p.sum()), -1)
    achternaam = np.empty(n, dtype=object)
    achternaam[~has_tv] = bare[rng.integers(len(bare), size=int((~has_tv).sum()))]
    for k, tv in enumerate(tv_names):
        mask = tv_idx == k
        achternaam[mask] = stems[tv][rng.integers(len(stems[tv]), size=int(mask.sum()))]
    tussenvoegsel = np.where(has_tv, tv_names[tv_idx], "").astype(object)
    return tussenvoegsel, achternaam


def identities(rng: np.random.Generator, geslacht: np.ndarray) -> pd.DataFrame:
    """Draw voornaam, tussenvoegsel and achternaam per person, vectorised.

    Every person gets an independent surname; the caller makes children carry a
    parent's.

    Args:
        rng: Random generator.
        geslacht: "M" or "V" per person.

    Returns:
        DataFrame with columns voornaam, tussenvoegsel and achternaam.
    """
    voornaam = first_names(rng, geslacht)
    tussenvoegsel, achternaam = surnames(rng, voornaam.size)
    return pd.DataFrame(
        {"voornaam": voornaam, "tussenvoegsel": tussenvoegsel, "achternaam": achternaam}
    )


def _street_pool(rng: np.random.Generator) -> np.ndarray:
    """Draw street names built as Faker's nl_NL does ("Beatrixlaan", "Jansenstraat")."""
    bare, _ = _surname_pools()
    names = [pool[0] for pool in _first_name_pools().values()] + [bare]
    stems = np.unique(np.concatenate(names).astype(str)).astype(object)
    suffixes = np.array(_AddressProvider.street_suffixes, dtype=object)
    combos = (stems[:, None] + suffixes[None, :]).ravel()
    w = np.tile([_SUFFIX_GEWICHT.get(s, 1.0) for s in suffixes], len(stems))
    size = min(_STRAAT_POOL, combos.size)
    return combos[rng.choice(combos.size, size=size, replace=False, p=w / w.sum())]


def addresses(rng: np.random.Generator, woonplaats: np.ndarray) -> dict[str, np.ndarray]:
    """Draw one unique address per household in its woonplaats.

    Where two households land on the same straat and huisnummer in one woonplaats, house
    numbers in that street move up to the next free one. Each block of 20 numbers on a
    street gets its own postcode, never reused, so postcode plus huisnummer is unique
    too. Postcodes are not tied to the region of the woonplaats.

    Args:
        rng: Random generator.
        woonplaats: Gemeente name per household (1-d).

    Returns:
        Dict of arrays: ``straat`` (object), ``huisnummer`` (int32, mostly 1..300),
        ``postcode`` (object, "1234 AB") and ``woonplaats`` (the input).

    Raises:
        ValueError: If there are more street blocks than postcodes (about 6 million).
    """
    woonplaats = np.asarray(woonplaats)
    n = woonplaats.size
    pool = _street_pool(rng)
    straat_idx = rng.integers(len(pool), size=n)
    # Truncated geometric by inverse CDF: small numbers common, none above the cap.
    q = 1.0 - _HUISNUMMER_P
    u = rng.random(n) * (1.0 - q**_MAX_HUISNUMMER)
    nummer = np.maximum(np.ceil(np.log1p(-u) / np.log(q)), 1).astype(np.int64)

    wp_code = pd.factorize(woonplaats)[0].astype(np.int64)
    _, street = np.unique(wp_code * len(pool) + straat_idx, return_inverse=True)
    order = np.lexsort((nummer, street))
    g, h = street[order], nummer[order]
    pos = np.arange(n)
    starts = np.r_[True, g[1:] != g[:-1]] if n else np.zeros(0, dtype=bool)
    rank = pos - np.maximum.accumulate(np.where(starts, pos, 0))
    # rank + running max of (h - rank) within a street is strictly increasing and never
    # below h; the offset keeps every street's values above the previous street's.
    offset = g * (n + _MAX_HUISNUMMER + 1)
    huisnummer = np.empty(n, dtype=np.int64)
    huisnummer[order] = rank + np.maximum.accumulate(h - rank + offset) - offset

    blok_key = street * (huisnummer.max(initial=0) + 1) + huisnummer // _POSTCODE_BLOK
    _, blok = np.unique(blok_key, return_inverse=True)
    n_blok, n_codes = int(blok.max(initial=-1)) + 1, 9000 * len(_LETTERS)
    if n_blok > n_codes:
        raise ValueError(f"{n_blok} street blocks need a postcode; only {n_codes} exist")
    code = rng.choice(n_codes, size=n_blok, replace=False)[blok]
    cijfers = (1000 + code // len(_LETTERS)).astype("U4")
    postcode = np.strings.add(np.strings.add(cijfers, " "), _LETTERS[code % len(_LETTERS)])
    return {
        "straat": pool[straat_idx],
        "huisnummer": huisnummer.astype(np.int32),
        "postcode": postcode.astype(object),
        "woonplaats": woonplaats,
    }


def elfproef(bsn: np.ndarray) -> np.ndarray:
    """Apply the BSN elfproef: digits weighted 9..2 and -1 sum to a multiple of 11.

    Args:
        bsn: 9-character digit strings, or integers below 10**9 (leading zeros
            implied).

    Returns:
        Boolean array of the input's shape; False for anything that is not 9 digits,
        and for 000000000, whose sum is 0.

    Example:
        >>> elfproef(np.array(["111222333", "111222334"])).tolist()
        [True, False]
    """
    arr = np.asarray(bsn)
    if arr.dtype.kind in "iu":
        flat = arr.reshape(-1).astype(np.int64)
        ok = (flat >= 0) & (flat < 10**9)
        digits = np.where(ok, flat, 0)[:, None] // 10 ** np.arange(8, -1, -1) % 10
    else:
        text = np.ascontiguousarray(arr.astype(str).reshape(-1))
        width = text.dtype.itemsize // 4
        if width < 9:
            return np.zeros(arr.shape, dtype=bool)
        # Read the UCS-4 code points directly; numpy pads shorter strings with NUL (0).
        codes = text.view(np.uint32).reshape(-1, width).astype(np.int32)
        digits = codes[:, :9] - ord("0")
        ok = ((digits >= 0) & (digits <= 9)).all(axis=1)
        ok &= (codes[:, 9:] == 0).all(axis=1)
    som = digits @ np.array(_ELFPROEF_GEWICHTEN)
    return (ok & (som % 11 == 0) & (som != 0)).reshape(arr.shape)


def _bsn_block(prefix: int) -> tuple[np.ndarray, np.ndarray]:
    """Return prefix000000..prefix999999 as 9-character strings, and their elfproef.

    Built from two 3-digit halves by broadcasting: several times faster than digit
    arithmetic and string conversion per number.
    """
    three = np.arange(1000)
    d = np.stack([three // 100, three // 10 % 10, three % 10], axis=1)
    p = np.array([prefix // 100, prefix // 10 % 10, prefix % 10])
    w = np.array(_ELFPROEF_GEWICHTEN)
    som = p @ w[:3] + (d @ w[3:6])[:, None] + (d @ w[6:])[None, :]
    valid = ((som % 11 == 0) & (som != 0)).ravel()
    chars = np.empty((1000, 1000, 9), dtype=np.uint32)  # UCS-4 code points of "U9"
    chars[:, :, :3] = p + ord("0")
    chars[:, :, 3:6] = (d + ord("0"))[:, None, :]
    chars[:, :, 6:] = (d + ord("0"))[None, :, :]
    return chars.view("U9").reshape(-1), valid


class BsnAllocator:
    """Hands out unique synthetic BSNs that can never belong to a real person.

    First the 90,909 elfproef-valid numbers of 999000000..999999999 (the BRP test
    range), then numbers that deliberately fail the elfproef: from 999, then 998, 997,
    and so on. Each segment is shuffled with its own seed, so the stream of numbers
    depends only on `seed`, not on how it is cut into `take` calls.

    Example:
        >>> allocator = BsnAllocator(seed=1)
        >>> bool(elfproef(allocator.take(3)).all())
        True
    """

    def __init__(self, seed: int) -> None:
        """Create an allocator; `seed` is a non-negative integer."""
        self._seed = seed
        self._segment = -1  # 0: valid numbers of 999; k >= 1: failing ones of 1000 - k
        self._pool = np.zeros(0, dtype="U9")
        self._pos = 0
        self._geldig = 0
        self._ongeldig = 0

    def _next_segment(self) -> None:
        self._segment += 1
        prefix = _BSN_TESTREEKS - max(self._segment - 1, 0)
        if prefix < 0:
            raise SandboxError(
                f"all {self._geldig + self._ongeldig} synthetic BSNs are used up; "
                "generate a smaller population"
            )
        numbers, valid = _bsn_block(prefix)
        rng = np.random.default_rng([self._seed, self._segment])
        self._pool = rng.permutation(numbers[valid if self._segment == 0 else ~valid])
        self._pos = 0

    def take(self, n: int) -> np.ndarray:
        """Return the next `n` BSNs.

        Args:
            n: How many numbers to hand out.

        Returns:
            Array of 9-character strings (dtype ``<U9``), unique across all calls.

        Raises:
            ValueError: If `n` is negative.
            SandboxError: If every 9-digit number has been handed out.
        """
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        parts = []
        while n > 0:
            if self._pos == self._pool.size:
                self._next_segment()
            chunk = self._pool[self._pos : self._pos + n]
            self._pos, n = self._pos + chunk.size, n - chunk.size
            parts.append(chunk)
            if self._segment == 0:
                self._geldig += chunk.size
            else:
                self._ongeldig += chunk.size
        return np.concatenate(parts) if parts else np.zeros(0, dtype="U9")

    def summary(self) -> dict[str, int | str]:
        """Return the counts handed out so far and the rule, for the manifest."""
        return {
            "elfproef_geldig": self._geldig,
            "elfproef_ongeldig": self._ongeldig,
            "regel": (
                "Synthetische BSN's zijn 9 cijfers, elfproef-geldig en beginnen met "
                "999, de reeks van de BRP-testomgeving; zijn die op, dan krijgen "
                "personen nummers die bewust niet aan de elfproef voldoen (eerst uit "
                "999, dan 998, 997, ...), zodat geen nummer ooit van een echt persoon "
                "kan zijn."
            ),
        }


def faker_baseline(n: int, seed: int) -> pd.DataFrame:
    """Build the identity columns the slow way, with Faker calls per person.

    Only for benchmarks: it shows what `identities` and `addresses` save.

    Args:
        n: Number of persons.
        seed: Faker seed.

    Returns:
        DataFrame with columns voornaam, achternaam, straat, huisnummer and postcode.
    """
    fake = Faker("nl_NL")
    fake.seed_instance(seed)
    calls = [fake.first_name, fake.last_name, fake.street_name]
    calls += [fake.building_number, fake.postcode]
    rows = [[call() for call in calls] for _ in range(n)]
    columns = ["voornaam", "achternaam", "straat", "huisnummer", "postcode"]
    return pd.DataFrame(rows, columns=columns).astype({"huisnummer": int})
