"""One tracked experiment: simulate a strategy on a dataset and log it to MLflow.

Params are the strategy whole (dotted names), metrics the standard names of
`sandbox.proactive.metrics.METRICS`, the dataset is an input with its digest, and the audit
log, contacts, per-regeling and pair tables and two plots are artifacts. With ``transfer_to``
the strategy also runs on the synthetic dataset's reference parent and the gap per metric is
logged: does the conclusion drawn on synthetic data hold on the reference?
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sandbox.dataset import read_manifest
from sandbox.errors import StrategyError
from sandbox.landscape import AuditLog, load_landscape, load_policy
from sandbox.proactive.metrics import METRICS, score
from sandbox.proactive.population import Prepared, prepare
from sandbox.proactive.reads import check_reads, planned_reads
from sandbox.proactive.simulate import Outcome, simulate
from sandbox.proactive.strategy import Strategy
from sandbox.proactive.takeup import load_behaviour
from sandbox.rules import load_catalog
from sandbox.tracking import (
    log_artifact,
    log_dataset,
    log_metrics,
    log_params,
    search_runs,
    start_run,
)

__all__ = ["RunResult", "run_strategy", "compare_runs", "EXPERIMENT", "write_outcome"]

EXPERIMENT = "proactief"
Progress = Callable[[str, int, int], None]


@dataclass
class RunResult:
    """What `run_strategy` did: the MLflow run id, the metrics, and the transfer gaps."""

    run_id: str
    metrics: dict[str, float]
    per_regeling: pd.DataFrame
    reference: dict[str, float] | None = None
    gaps: dict[str, float] | None = None


def _check_parent(dataset: str, reference: str) -> None:
    manifest = read_manifest(dataset)
    parent = manifest.get("parent")
    if manifest.get("kind") != "synthetic" or not parent:
        raise StrategyError(
            f"--transfer-to needs a synthetic dataset; {dataset} is {manifest.get('kind')} "
            "and has no reference parent"
        )
    if parent != reference:
        raise StrategyError(
            f"--transfer-to {reference}: dataset {dataset} was synthesised from {parent}; "
            f"use --transfer-to {parent}"
        )
    read_manifest(reference)


def write_outcome(outcome: Outcome, folder: Path, per: pd.DataFrame, pairs: pd.DataFrame) -> None:
    """Write the outcome tables and plots of a run into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    outcome.audit.to_csv(folder / "audit.csv", index=False)
    outcome.contacts.to_parquet(folder / "contacten.parquet", index=False)
    per.to_csv(folder / "per_regeling.csv", index=False)
    pairs.to_parquet(folder / "paren.parquet", index=False)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 3.5))
    x = range(len(per))
    ax.bar([i - 0.2 for i in x], per["niet_gebruik_basis"], width=0.4, label="zonder strategie")
    ax.bar([i + 0.2 for i in x], per["niet_gebruik"], width=0.4, label="met strategie")
    ax.set_xticks(list(x), per["regeling"], rotation=30, ha="right")
    ax.set_ylabel("niet-gebruik (%)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(folder / "niet_gebruik.png", dpi=100)
    plt.close(fig)
    fig, ax = plt.subplots(figsize=(7, 3))
    months = [m.strftime("%Y-%m") for m in outcome.prepared.months]
    counts = (
        outcome.contacts.groupby(outcome.contacts["maand"].dt.strftime("%Y-%m")).size()
        if not outcome.contacts.empty
        else pd.Series(dtype=int)
    )
    ax.bar(months, [int(counts.get(m, 0)) for m in months])
    ax.set_ylabel("contacten")
    ax.tick_params(axis="x", rotation=90)
    fig.tight_layout()
    fig.savefig(folder / "contacten_per_maand.png", dpi=100)
    plt.close(fig)


def _clean(metrics: dict[str, float]) -> dict[str, float]:
    return {k: float(v) for k, v in metrics.items() if not (isinstance(v, float) and math.isnan(v))}


def run_strategy(
    strategy: Strategy,
    dataset: str,
    *,
    period: str | None = None,
    mode: str = "strict",
    transfer_to: str | None = None,
    experiment: str = EXPERIMENT,
    settings: list[str] | None = None,
    prepared: Prepared | None = None,
    progress: Progress | None = None,
) -> RunResult:
    """Simulate ``strategy`` on ``dataset`` and log one MLflow run.

    Everything that can be checked before work starts is checked before the run opens
    (strategy, dataset, period, policy in strict mode), so bad input leaves no run behind;
    a failure later ends the run as FAILED, never RUNNING.

    Raises:
        StrategyError, AccessDeniedError, DatasetNotFoundError, RuleError: bad input.
    """
    landscape = load_landscape()
    policy = load_policy(landscape=landscape)
    behaviour = load_behaviour()
    if transfer_to:
        _check_parent(dataset, transfer_to)
    read_manifest(dataset)
    if mode not in ("strict", "audit"):
        raise StrategyError(f"unknown mode '{mode}'; choose strict or audit")
    if not strategy.reactive:
        behaviour.channel(strategy.kanaal)
        AuditLog(policy, strategy.organisatie, strategy.doel, strategy.amvb, mode)
    # Fail before any work: the reads follow from the strategy and the catalog alone.
    reads = planned_reads(strategy, load_catalog(), landscape)
    if mode == "strict":
        check_reads(policy, strategy, reads)
    prepared = prepared or prepare(dataset, strategy.regelingen, period, progress=progress)
    outcome = simulate(prepared, strategy, mode=mode, landscape=landscape, policy=policy,
                       behaviour=behaviour, progress=progress)  # fmt: skip
    metrics, per, pairs = score(outcome)
    reference = gaps = None
    if transfer_to:
        ref = prepare(transfer_to, strategy.regelingen, period, progress=progress)
        ref_outcome = simulate(ref, strategy, mode=mode, landscape=landscape, policy=policy,
                               behaviour=behaviour, progress=progress)  # fmt: skip
        reference, _, _ = score(ref_outcome)
        gaps = {k: metrics[k] - reference[k] for k in metrics if k in reference}
    tags = {"strategie": strategy.id, "dataset": dataset, "modus": mode}
    with start_run(experiment, run_name=f"{strategy.id} @ {dataset}", tags=tags) as run:
        log_params(strategy.model_dump(mode="json"), prefix="strategie")
        log_params(
            {
                "dataset": dataset,
                "periode": f"{prepared.months[0]:%Y-%m}..{prepared.months[-1]:%Y-%m}",
                "modus": mode,
                "set": " ".join(settings or []) or None,
                "transfer_to": transfer_to,
            }
        )
        log_dataset(dataset, "populatie")
        log_metrics(_clean(metrics))
        if transfer_to:
            log_dataset(transfer_to, "referentie")
            log_metrics(_clean(reference), prefix="referentie")
            log_metrics(_clean(gaps), prefix="transfer.verschil")
        with tempfile.TemporaryDirectory() as tmp:
            write_outcome(outcome, Path(tmp), per, pairs)
            log_artifact(tmp, "uitkomst")
        run_id = run.info.run_id
    return RunResult(run_id, metrics, per, reference, gaps)


def compare_runs(experiment: str = EXPERIMENT, sort: str = "euro_per_jaar") -> pd.DataFrame:
    """A leaderboard of the experiment's finished runs, best first on ``sort``.

    Raises:
        StrategyError: no such experiment, or ``sort`` is not a standard metric.
    """
    if sort not in METRICS:
        raise StrategyError(f"unknown metric '{sort}'; standard metrics: {', '.join(METRICS)}")
    runs = search_runs(experiment)
    if runs is None:
        raise StrategyError(f"no experiment '{experiment}' in the tracking store")
    if runs.empty:
        return runs
    columns = {"run_id": "run", "tags.strategie": "strategie", "tags.dataset": "dataset"}
    keep = [c for c in columns if c in runs]
    shown = ["bereik", "precisie", "euro_per_jaar", "kosten", "fairness_gap",
             "grondslag_schendingen"]  # fmt: skip
    if sort not in shown:
        shown.append(sort)
    metric_cols = [f"metrics.{m}" for m in shown if f"metrics.{m}" in runs]
    board = runs[keep + metric_cols].rename(columns=columns)
    board.columns = [c.removeprefix("metrics.") for c in board.columns]
    board["run"] = board["run"].str[:8]
    if sort in board:
        board = board.sort_values(
            sort,
            ascending=sort
            in {"kosten", "fairness_gap", "contacten_per_nieuwe_aanvraag", "grondslag_schendingen"},
        )
    return board.reset_index(drop=True)
