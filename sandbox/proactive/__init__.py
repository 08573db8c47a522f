"""Proactive services: take-up behaviour, strategies, month-by-month simulation and metrics."""

from sandbox.proactive.calibration import calibrate_dataset
from sandbox.proactive.metrics import METRICS, per_regeling, score
from sandbox.proactive.model import ContactModel, load_model, save_model, train_model
from sandbox.proactive.population import Prepared, prepare
from sandbox.proactive.reads import planned_reads
from sandbox.proactive.run import EXPERIMENT, RunResult, compare_runs, run_strategy
from sandbox.proactive.simulate import Outcome, simulate
from sandbox.proactive.strategy import (
    Strategy,
    apply_settings,
    list_strategies,
    load_strategy,
    strategies_dir,
)
from sandbox.proactive.takeup import Behaviour, load_behaviour, load_calibration

__all__ = [
    "EXPERIMENT",
    "METRICS",
    "Behaviour",
    "ContactModel",
    "Outcome",
    "Prepared",
    "RunResult",
    "Strategy",
    "apply_settings",
    "calibrate_dataset",
    "compare_runs",
    "list_strategies",
    "load_behaviour",
    "load_calibration",
    "load_model",
    "load_strategy",
    "per_regeling",
    "planned_reads",
    "prepare",
    "run_strategy",
    "save_model",
    "score",
    "simulate",
    "strategies_dir",
    "train_model",
]
