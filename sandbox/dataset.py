"""The dataset store: population datasets as folders of Parquet tables with a manifest.

A dataset folder holds `households.parquet`, `persons.parquet`, `events.parquet`,
`manifest.json` and the SDV `metadata.json`. It is written into a temporary folder and renamed
into place, so an interrupted write never leaves a partial dataset behind.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from sandbox import __version__
from sandbox.errors import DatasetError, DatasetExistsError, DatasetNotFoundError

__all__ = [
    "tidy_frame",
    "EVENT_TYPES",
    "TABLES",
    "Dataset",
    "datasets_dir",
    "dataset_path",
    "ensure_absent",
    "write_dataset",
    "load_dataset",
    "read_manifest",
    "list_datasets",
    "sdv_metadata",
]

TABLES = ("households", "persons", "events")
# The event types (`soort`) of the dataset contract, ARCHITECTURE.md.
EVENT_TYPES = (
    "geboorte",
    "overlijden",
    "verhuizing",
    "partnerschap",
    "scheiding",
    "uit_huis",
    "baanverlies",
    "baan_start",
    "inkomenswijziging",
    "achttien_jaar",
    "aow_leeftijd",
)
_PII = {
    "voornaam": "first_name",
    "achternaam": "last_name",
    "straat": "street_name",
    "postcode": "postcode",
    "woonplaats": "city",
}
_IDS = {"household_id", "person_id", "event_id", "bsn", "nieuw_household_id", "partner_id"}


@dataclass
class Dataset:
    """A dataset loaded from the store."""

    name: str
    path: Path
    manifest: dict
    households: pd.DataFrame
    persons: pd.DataFrame
    events: pd.DataFrame


def tidy_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Give columns stable dtypes so Parquet files are byte-identical across runs.

    Object columns become pandas strings; datetimes become milliseconds, Parquet's coarsest
    unit. Returns a copy with a fresh index.
    """
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = out[col].astype("string")
        elif str(out[col].dtype).startswith("datetime64"):
            out[col] = out[col].astype("datetime64[ms]")
    return out.reset_index(drop=True)


def datasets_dir() -> Path:
    """Where datasets live: ``$SANDBOX_DATASETS``, else ``synthetic/datasets`` under the cwd."""
    env = os.environ.get("SANDBOX_DATASETS")
    return Path(env) if env else Path.cwd() / "synthetic" / "datasets"


def dataset_path(name: str) -> Path:
    """The folder of the dataset called ``name``."""
    return datasets_dir() / name


def ensure_absent(name: str, overwrite: bool = False) -> None:
    """Fail early when a dataset exists and may not be replaced.

    Raises:
        DatasetExistsError: the dataset exists and ``overwrite`` is false.
    """
    if dataset_path(name).exists() and not overwrite:
        raise DatasetExistsError(
            f"dataset '{name}' already exists in {datasets_dir()}; "
            "pass --overwrite to replace it or --name to choose another name"
        )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def sdv_metadata(tables: dict[str, pd.DataFrame]) -> dict:
    """Describe the tables in SDV's metadata format (spec V1) with keys and relationships."""
    spec: dict = {"METADATA_SPEC_VERSION": "V1", "tables": {}, "relationships": []}
    keys = {"households": "household_id", "persons": "person_id", "events": "event_id"}
    for name, frame in tables.items():
        columns = {}
        for col, dtype in frame.dtypes.items():
            if col in _IDS:
                columns[col] = {"sdtype": "id"}
            elif col in _PII:
                columns[col] = {"sdtype": _PII[col], "pii": True}
            elif str(dtype).startswith("datetime"):
                columns[col] = {"sdtype": "datetime"}  # typed datetimes need no format
            elif str(dtype) in ("bool", "boolean"):
                columns[col] = {"sdtype": "boolean"}
            elif pd.api.types.is_numeric_dtype(dtype):
                columns[col] = {"sdtype": "numerical"}
            else:
                columns[col] = {"sdtype": "categorical"}
        spec["tables"][name] = {"primary_key": keys[name], "columns": columns}
    for child, fk, parent in (
        ("persons", "household_id", "households"),
        ("events", "household_id", "households"),
        ("events", "person_id", "persons"),
    ):
        if child in tables and parent in tables:
            spec["relationships"].append(
                {
                    "parent_table_name": parent,
                    "parent_primary_key": keys[parent],
                    "child_table_name": child,
                    "child_foreign_key": fk,
                }
            )
    return spec


def write_dataset(
    name: str,
    tables: dict[str, pd.DataFrame],
    manifest: dict,
    *,
    overwrite: bool = False,
) -> Path:
    """Write a dataset folder atomically.

    Args:
        name: the dataset name (folder name).
        tables: ``households``, ``persons`` and ``events`` frames.
        manifest: fields for `manifest.json`; row counts, hashes, version and time are added.
        overwrite: replace an existing dataset of that name.

    Returns:
        The dataset folder.

    Raises:
        DatasetExistsError: the dataset exists and ``overwrite`` is false.
    """
    ensure_absent(name, overwrite)
    root = datasets_dir()
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / f".{name}.tmp-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        hashes, rows = {}, {}
        for table in TABLES:
            path = tmp / f"{table}.parquet"
            tables[table].to_parquet(path, index=False, engine="pyarrow", compression="zstd")
            hashes[table] = _sha256(path)
            rows[table] = len(tables[table])
        full = {
            **manifest,
            "name": name,
            "rows": rows,
            "sha256": hashes,
            "package_version": __version__,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        (tmp / "manifest.json").write_text(json.dumps(full, indent=2, ensure_ascii=False) + "\n")
        metadata = sdv_metadata({t: tables[t] for t in TABLES})
        (tmp / "metadata.json").write_text(json.dumps(metadata, indent=2) + "\n")
        final = root / name
        if not final.exists():
            tmp.rename(final)
            return final
        old = root / f".{name}.old-{uuid.uuid4().hex[:8]}"
        final.rename(old)
        try:
            tmp.rename(final)
        except BaseException:  # put the old dataset back rather than lose both
            old.rename(final)
            raise
        shutil.rmtree(old, ignore_errors=True)
        return final
    finally:  # also on KeyboardInterrupt: never leave a half-written folder
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def read_manifest(name: str) -> dict:
    """Read a dataset's manifest.

    Raises:
        DatasetNotFoundError: no dataset of that name.
        DatasetError: the manifest is missing or not JSON.
    """
    path = dataset_path(name)
    if not path.is_dir():
        known = ", ".join(list_datasets()) or "none yet"
        raise DatasetNotFoundError(
            f"no dataset '{name}' in {datasets_dir()} (known: {known}); "
            "create one with 'sandbox world generate'"
        )
    try:
        return json.loads((path / "manifest.json").read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise DatasetError(f"dataset '{name}': manifest.json unreadable ({exc})") from None


def load_dataset(name: str, *, verify: bool = True) -> Dataset:
    """Load a dataset's tables, checking their hashes against the manifest.

    Raises:
        DatasetNotFoundError: no dataset of that name.
        DatasetError: a table is missing or does not match its hash.
    """
    manifest = read_manifest(name)
    path = dataset_path(name)
    frames = {}
    for table in TABLES:
        file = path / f"{table}.parquet"
        if not file.is_file():
            raise DatasetError(f"dataset '{name}' lacks {table}.parquet; regenerate it")
        if verify and _sha256(file) != manifest.get("sha256", {}).get(table):
            raise DatasetError(
                f"dataset '{name}': {table}.parquet does not match the hash in manifest.json; "
                "the file was changed after it was written, regenerate it"
            )
        frames[table] = pd.read_parquet(file)
    return Dataset(name=name, path=path, manifest=manifest, **frames)


def list_datasets() -> list[str]:
    """Names of the datasets in the store, sorted."""
    root = datasets_dir()
    if not root.is_dir():
        return []
    return sorted(
        p.name
        for p in root.iterdir()
        if p.is_dir() and not p.name.startswith(".") and (p / "manifest.json").is_file()
    )
