"""Regelingen as code: the YAML catalog with legal references and the DuckDB engine."""

from sandbox.rules.case import Case, calc, grondslag_text, load_case
from sandbox.rules.catalog import catalog_dir, load_catalog, load_regeling, select
from sandbox.rules.engine import RESULT_COLUMNS, evaluate
from sandbox.rules.frame import (
    HOUSEHOLD_COLUMNS,
    PERSON_COLUMNS,
    assemble_frames,
    build_frames,
    month_starts,
)
from sandbox.rules.schema import Regeling
from sandbox.rules.store import (
    Summary,
    connect_dataset,
    dataset_months,
    evaluate_dataset,
    parse_period,
)

__all__ = [
    "HOUSEHOLD_COLUMNS",
    "PERSON_COLUMNS",
    "RESULT_COLUMNS",
    "Case",
    "Regeling",
    "Summary",
    "assemble_frames",
    "build_frames",
    "calc",
    "catalog_dir",
    "connect_dataset",
    "dataset_months",
    "evaluate",
    "evaluate_dataset",
    "grondslag_text",
    "load_case",
    "load_catalog",
    "load_regeling",
    "month_starts",
    "parse_period",
    "select",
]
