"""Synthetic populations with SDV: fit, sample, quality and privacy report, release guard."""

from sandbox.synth.constraints import RULES, count_violations
from sandbox.synth.flat import flatten, household_view
from sandbox.synth.guard import QUASI_IDENTIFIERS, GuardFindings, check_release
from sandbox.synth.model import MIN_HOUSEHOLDS, MODELS, Synthesizer
from sandbox.synth.report import EXPERIMENT, build_report, person_view, report_dataset
from sandbox.synth.sample import SampleResult, release, sample_dataset, sample_population
from sandbox.synth.source import HOUSEHOLD_COLUMNS, PERSON_COLUMNS, read_source, write_template
from sandbox.synth.store import fit_synthesizer, list_synthesizers, load, synthesizers_dir

__all__ = [
    "EXPERIMENT",
    "HOUSEHOLD_COLUMNS",
    "MIN_HOUSEHOLDS",
    "MODELS",
    "PERSON_COLUMNS",
    "QUASI_IDENTIFIERS",
    "RULES",
    "GuardFindings",
    "SampleResult",
    "Synthesizer",
    "build_report",
    "check_release",
    "count_violations",
    "fit_synthesizer",
    "flatten",
    "household_view",
    "list_synthesizers",
    "load",
    "person_view",
    "read_source",
    "release",
    "report_dataset",
    "sample_dataset",
    "sample_population",
    "synthesizers_dir",
    "write_template",
]
