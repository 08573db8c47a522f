"""What a synthesizer learns from: a dataset in the store or a real extract of Parquet/CSV files.

Both are read into the same shape: households and persons as they were on the peildatum (the
start of the period), checked for the required columns, types and codes, so that a bad extract
fails with one line naming the file, the column and the rows before anything is fitted.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sandbox.dataset import load_dataset
from sandbox.errors import SynthError
from sandbox.world.calibration import load_gemeenten
from sandbox.world.households import HOUSEHOLD_TYPES, ROLLEN
from sandbox.world.housing import WOONSITUATIES
from sandbox.world.persons import STATUSES

__all__ = [
    "HOUSEHOLD_COLUMNS",
    "PERSON_COLUMNS",
    "HUISHOUDTYPES",
    "ROLLEN",
    "WOONSITUATIES",
    "Source",
    "read_source",
    "write_template",
    "household_types",
]

HUISHOUDTYPES = HOUSEHOLD_TYPES  # the world's codes: a source must speak the same language
# Required columns of an extract, with the kind of value each holds.
HOUSEHOLD_COLUMNS = {
    "household_id": "geheel getal, uniek",
    "gemeente_code": "CBS-code, bv. GM0363",
    "straat": "tekst",
    "huisnummer": "geheel getal",
    "postcode": "tekst, bv. 1234 AB",
    "woonplaats": "tekst",
    "woonsituatie": "huur_sociaal | huur_vrij | koop | inwonend",
    "kale_huur": "euro per maand, leeg als geen huurder",
    "servicekosten": "euro per maand, leeg als geen huurder",
    "woz_waarde": "euro, leeg als geen eigenaar",
}
PERSON_COLUMNS = {
    "person_id": "geheel getal, uniek",
    "household_id": "verwijst naar households",
    "bsn": "9 cijfers",
    "voornaam": "tekst",
    "achternaam": "tekst",
    "geboortedatum": "datum JJJJ-MM-DD",
    "geslacht": "M | V",
    "rol": "aanvrager | partner | kind | overig",
    "herkomst": "NL | EU | buiten_EU",
    "geboren_buitenland": "true | false",
    "arbeidsstatus": " | ".join(STATUSES),
    "bijbaan": "true | false",
    "inkomen": "toetsingsinkomen, euro per jaar",
    "vermogen": "euro",
    "zorgverzekerd": "true | false",
    "aow_opbouwjaren": "geheel getal 0..50",
    "digitale_vaardigheid": "laag | basis | hoog, leeg onder 16",
    "taalvaardigheid": "laag | voldoende, leeg onder 16",
}
_NUMERIC = {
    "households": ("household_id", "huisnummer", "kale_huur", "servicekosten", "woz_waarde"),
    "persons": ("person_id", "household_id", "inkomen", "vermogen", "aow_opbouwjaren"),
}
_BOOLEAN = ("geboren_buitenland", "bijbaan", "zorgverzekerd")
_CODES = {
    "households": {"woonsituatie": WOONSITUATIES},
    "persons": {"rol": ROLLEN, "geslacht": ("M", "V"), "arbeidsstatus": STATUSES},
}


@dataclass
class Source:
    """A source on its peildatum: households and persons living then, plus where it came from."""

    name: str
    kind: str  # "dataset" or "extract"
    path: Path
    peildatum: pd.Timestamp
    period: dict[str, str]
    households: pd.DataFrame
    persons: pd.DataFrame
    manifest: dict


def household_types(persons: pd.DataFrame) -> pd.Series:
    """The CBS household type of every household, derived from its members' roles.

    Returns:
        ``huishoudtype`` indexed by ``household_id``.
    """
    counts = pd.crosstab(persons["household_id"], persons["rol"])
    for rol in ROLLEN:
        if rol not in counts:
            counts[rol] = 0
    kind = np.select(
        [
            counts["overig"] > 0,
            (counts["partner"] > 0) & (counts["kind"] > 0),
            counts["partner"] > 0,
            counts["kind"] > 0,
        ],
        ["overig", "paar_kinderen", "paar", "eenouder"],
        "alleenstaand",
    )
    return pd.Series(kind, index=counts.index, name="huishoudtype")


def read_source(source: str, peildatum: str | None = None) -> Source:
    """Read a dataset name or an extract folder as a source on its peildatum.

    Args:
        source: a dataset name in the store, or a folder holding ``households`` and ``persons``
            as ``.parquet`` or ``.csv`` files.
        peildatum: the day the extract describes (``YYYY-MM-DD``); a dataset uses the start of
            its period. Default for an extract: 2025-01-01.

    Returns:
        The households and persons living on the peildatum.

    Raises:
        DatasetNotFoundError: ``source`` is neither a folder nor a known dataset.
        SynthError: a file, column, type or code of the extract is wrong.
    """
    path = Path(source)
    if path.is_dir():
        return _read_extract(path, peildatum)
    data = load_dataset(source)
    van = data.manifest["period"]["van"]
    start = pd.Timestamp(f"{van}-01")
    persons = data.persons[data.persons["geboortedatum"] < start]
    households = data.households[data.households["ontstaan"].isna()]
    return Source(
        name=source,
        kind="dataset",
        path=data.path,
        peildatum=start,
        period=dict(data.manifest["period"]),
        households=households.reset_index(drop=True),
        persons=persons.reset_index(drop=True),
        manifest=data.manifest,
    )


def _read_table(folder: Path, table: str) -> pd.DataFrame:
    for suffix in (".parquet", ".csv"):
        file = folder / f"{table}{suffix}"
        if file.is_file():
            try:
                if suffix == ".parquet":
                    return pd.read_parquet(file)
                return pd.read_csv(file, dtype=str, keep_default_na=True)
            except Exception as exc:  # noqa: BLE001 - any reader failure is a bad file
                raise SynthError(f"{file}: unreadable ({exc}); is it {suffix[1:]}?") from None
    raise SynthError(
        f"extract {folder} lacks {table}.parquet or {table}.csv; "
        "'sandbox synth template MAP' writes an example with the required columns"
    )


def _check_columns(frame: pd.DataFrame, table: str, required: dict, folder: Path) -> None:
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise SynthError(
            f"extract {folder}/{table}: missing required columns {', '.join(missing)}; "
            "'sandbox synth template MAP' writes an example with all of them"
        )


def _numeric(frame: pd.DataFrame, table: str, folder: Path) -> pd.DataFrame:
    out = frame.copy()
    for col in _NUMERIC[table]:
        raw = out[col]
        values = pd.to_numeric(raw, errors="coerce")
        bad = values.isna() & raw.notna() & (raw.astype(str).str.strip() != "")
        if bad.any():
            example = raw[bad].iloc[0]
            raise SynthError(
                f"extract {folder}/{table}: column '{col}' is not numeric in {int(bad.sum())} "
                f"rows (e.g. {example!r}); give numbers with a decimal point and no currency"
            )
        out[col] = values.astype(float)
    return out


def _codes(frame: pd.DataFrame, table: str, folder: Path) -> None:
    for col, allowed in _CODES[table].items():
        bad = ~frame[col].isin(allowed)
        if bad.any():
            found = sorted(set(frame.loc[bad, col].astype(str)))[:5]
            raise SynthError(
                f"extract {folder}/{table}: column '{col}' holds unknown codes {found} in "
                f"{int(bad.sum())} rows; allowed: {', '.join(allowed)}"
            )


def _read_extract(folder: Path, peildatum: str | None) -> Source:
    households = _read_table(folder, "households")
    persons = _read_table(folder, "persons")
    _check_columns(households, "households", HOUSEHOLD_COLUMNS, folder)
    _check_columns(persons, "persons", PERSON_COLUMNS, folder)
    households = _numeric(households, "households", folder)
    persons = _numeric(persons, "persons", folder)
    _codes(households, "households", folder)
    _codes(persons, "persons", folder)
    known = set(load_gemeenten()["gemeente_code"])
    unknown = sorted(set(households["gemeente_code"].astype(str)) - known)
    if unknown:
        raise SynthError(
            f"extract {folder}/households: unknown gemeente codes {unknown[:5]} in "
            f"{int((~households['gemeente_code'].astype(str).isin(known)).sum())} rows; use CBS "
            "codes of 2025 such as GM0363 (Amsterdam)"
        )
    born = pd.to_datetime(persons["geboortedatum"], errors="coerce")
    if born.isna().any():
        raise SynthError(
            f"extract {folder}/persons: column 'geboortedatum' is not a date in "
            f"{int(born.isna().sum())} rows; write dates as YYYY-MM-DD"
        )
    persons["geboortedatum"] = born.astype("datetime64[ms]")
    for col in _BOOLEAN:
        text = persons[col].astype(str).str.strip().str.lower()
        persons[col] = text.isin(["true", "1", "ja", "waar"])
    if "tussenvoegsel" not in persons:
        persons["tussenvoegsel"] = ""
    for col in ("digitale_vaardigheid", "taalvaardigheid"):
        persons[col] = persons[col].where(persons[col].notna() & (persons[col] != ""), None)
    for col in ("household_id", "person_id"):
        frame = households if col == "household_id" else persons
        if frame[col].isna().any() or frame[col].duplicated().any():
            raise SynthError(f"extract {folder}: column '{col}' must be filled and unique")
    orphans = ~persons["household_id"].isin(households["household_id"])
    if orphans.any():
        raise SynthError(
            f"extract {folder}/persons: {int(orphans.sum())} persons point to a household_id "
            "that is not in households"
        )
    day = pd.Timestamp(peildatum or "2025-01-01")
    persons = persons[persons["geboortedatum"] < day].copy()
    for col in ("household_id", "person_id", "aow_opbouwjaren"):
        persons[col] = persons[col].astype(np.int64)
    households["household_id"] = households["household_id"].astype(np.int64)
    households["huisnummer"] = households["huisnummer"].astype("Int64")
    households = households.drop(columns=["huishoudtype"], errors="ignore")
    types = household_types(persons)
    households = households[households["household_id"].isin(types.index)].copy()
    households["huishoudtype"] = types.reindex(households["household_id"]).to_numpy()
    first = day.to_period("M")
    period = {"van": str(first), "tot": str(first + 23)}
    return Source(
        name=folder.name,
        kind="extract",
        path=folder.resolve(),
        peildatum=day,
        period=period,
        households=households.reset_index(drop=True),
        persons=persons.reset_index(drop=True),
        manifest={"name": folder.name, "path": str(folder.resolve()), "sha256": _hashes(folder)},
    )


def _hashes(folder: Path) -> dict[str, str]:
    import hashlib

    out = {}
    for file in sorted(folder.iterdir()):
        if file.suffix in (".parquet", ".csv"):
            out[file.stem] = hashlib.sha256(file.read_bytes()).hexdigest()
    return out


def write_template(folder: str | Path) -> Path:
    """Write an empty example extract: ``households.csv`` and ``persons.csv`` with a README.

    Args:
        folder: where to write; created when missing, refused when it holds those files.

    Returns:
        The folder.

    Raises:
        SynthError: the folder already holds an extract.
    """
    folder = Path(folder)
    targets = [folder / "households.csv", folder / "persons.csv", folder / "LEESMIJ.txt"]
    taken = [t.name for t in targets if t.exists()]
    if taken:
        raise SynthError(f"{folder} already holds {', '.join(taken)}; choose an empty folder")
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(columns=list(HOUSEHOLD_COLUMNS)).to_csv(targets[0], index=False)
    pd.DataFrame(columns=[*PERSON_COLUMNS, "tussenvoegsel"]).to_csv(targets[1], index=False)
    lines = ["Extract voor 'sandbox synth fit MAP': één rij per huishouden en per persoon.", ""]
    for table, columns in (("households", HOUSEHOLD_COLUMNS), ("persons", PERSON_COLUMNS)):
        lines.append(f"{table}.csv (of .parquet), verplichte kolommen:")
        lines += [f"  {name}: {what}" for name, what in columns.items()]
        lines.append("")
    lines.append(
        "persons.csv mag ook 'tussenvoegsel' hebben; het huishoudtype volgt uit de rollen."
    )
    lines.append(
        "Peildatum: --peildatum (standaard 2025-01-01); wie later geboren is telt niet mee."
    )
    targets[2].write_text("\n".join(lines) + "\n")
    return folder
