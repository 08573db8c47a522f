"""`run_strategy` and `compare_runs` on a real MLflow store (sqlite in the temp home) and DuckDB.

One run is what a user sees in the MLflow UI: the strategy as params, the standard metrics,
the dataset with its digest and the outcome tables as artifacts. Bad input must never leave a
run behind in RUNNING state, and input that can be checked up front leaves no run at all.
"""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import mlflow
import pandas as pd
import pytest
from mlflow.entities import ViewType

from sandbox.dataset import list_datasets, read_manifest, write_dataset
from sandbox.errors import AccessDeniedError, DatasetNotFoundError, StrategyError
from sandbox.proactive import METRICS, RunResult, compare_runs, load_strategy, run_strategy
from sandbox.tracking import (
    dataset_digest,
    log_metrics,
    sandbox_home,
    start_run,
    tracking_uri,
)
from sandbox.world import Population

PERIOD = {"van": "2025-01", "tot": "2026-12"}
# MLflow's own SQLAlchemy models use a deprecated loader; sandbox.tracking silences it around its
# calls, and the tests' direct MlflowClient calls need the same (it is not ours to fix).
pytestmark = pytest.mark.filterwarnings("ignore:.*noload.*")
OUTCOME_FILES = {"audit.csv", "contacten.parquet", "per_regeling.csv", "paren.parquet"}


def _client() -> mlflow.MlflowClient:
    sandbox_home().mkdir(parents=True, exist_ok=True)
    return mlflow.MlflowClient(tracking_uri=tracking_uri())


def _runs_by_status() -> Counter[str]:
    """How many runs each status has, over every experiment of the store."""
    client = _client()
    ids = [e.experiment_id for e in client.search_experiments(view_type=ViewType.ALL)]
    runs = client.search_runs(ids, run_view_type=ViewType.ALL, max_results=50_000) if ids else []
    return Counter(r.info.status for r in runs)


def _cut(population: Population, households: int) -> dict[str, pd.DataFrame]:
    """The first ``households`` households present at the start, with members and events."""
    hh = population.households
    hh = hh[hh["ontstaan"].isna() & (hh["household_id"] < households)]
    persons = population.persons
    persons = persons[persons["household_id"].isin(hh["household_id"])]
    persons = persons[persons["geboortedatum"] < pd.Timestamp("2025-01-01")]
    events = population.events
    events = events[events["person_id"].isin(persons["person_id"])]
    return {"households": hh, "persons": persons, "events": events}


def _write_cut(name: str, population: Population, households: int) -> str:
    """Write the cut as a reference dataset (once per session store)."""
    if name not in list_datasets():
        manifest = {"kind": "reference", "parent": None, "seed": 7, "period": PERIOD}
        write_dataset(name, _cut(population, households), manifest)
    return name


@pytest.fixture(scope="module")
def achttien(small_dataset: str) -> tuple[RunResult, Counter[str], Counter[str]]:
    """One run of the 18-year-olds strategy on 'klein', with the run counts around it."""
    before = _runs_by_status()
    result = run_strategy(load_strategy("achttien-zorgtoeslag"), small_dataset)
    return result, before, _runs_by_status()


def test_a_run_logs_one_finished_run_in_the_proactief_experiment(achttien):
    result, before, after = achttien
    assert after - before == Counter({"FINISHED": 1})
    run = _client().get_run(result.run_id)
    assert run.info.status == "FINISHED"
    experiment = _client().get_experiment(run.info.experiment_id)
    assert experiment.name == "proactief"


def test_the_strategy_and_dataset_are_the_params(achttien, small_dataset):
    result, _, _ = achttien
    params = _client().get_run(result.run_id).data.params
    assert params["strategie.id"] == "achttien-zorgtoeslag"
    assert params["strategie.kanaal"] == "brief"
    assert params["strategie.trigger.gebeurtenissen"] == str(["achttien_jaar"])
    assert params["dataset"] == small_dataset
    assert params["modus"] == "strict"
    assert params["periode"] == "2025-01..2026-12"


def test_every_standard_metric_is_logged_under_its_own_name(achttien):
    result, _, _ = achttien
    logged = _client().get_run(result.run_id).data.metrics
    assert set(METRICS) <= set(result.metrics)
    for name in METRICS:
        value = float(result.metrics[name])
        if math.isnan(value):
            assert name not in logged, name
        else:
            assert logged[name] == pytest.approx(value), name
    assert result.metrics["contacten"] > 0  # the run did something worth scoring


def test_the_dataset_is_an_input_with_the_digest_of_its_manifest(achttien, small_dataset):
    result, _, _ = achttien
    inputs = _client().get_run(result.run_id).inputs.dataset_inputs
    assert [(i.dataset.name, i.dataset.digest) for i in inputs] == [
        (small_dataset, dataset_digest(read_manifest(small_dataset)))
    ]
    assert {t.key: t.value for t in inputs[0].tags}["mlflow.data.context"] == "populatie"


def test_the_outcome_tables_and_two_plots_are_artifacts(achttien, tmp_path: Path):
    result, _, _ = achttien
    client = _client()
    names = {Path(a.path).name for a in client.list_artifacts(result.run_id, "uitkomst")}
    assert names >= OUTCOME_FILES
    assert len([n for n in names if n.endswith(".png")]) == 2
    local = client.download_artifacts(result.run_id, "uitkomst/contacten.parquet", str(tmp_path))
    assert len(pd.read_parquet(local)) == result.metrics["contacten"]
    local = client.download_artifacts(result.run_id, "uitkomst/per_regeling.csv", str(tmp_path))
    assert pd.read_csv(local)["regeling"].tolist() == ["zorgtoeslag"]


# --- bad input ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny(proactive_env, small_population: Population) -> str:
    """200 households of nl-small as a reference dataset: cheap to prepare."""
    return _write_cut("klein-200", small_population, 200)


@pytest.fixture(scope="module")
def without_events(proactive_env, small_population: Population) -> str:
    """A copy of a small dataset whose events table is empty."""
    name = "zonder-gebeurtenissen"
    if name not in list_datasets():
        tables = _cut(small_population, 200)
        tables["events"] = tables["events"].iloc[0:0]
        write_dataset(name, tables, {"kind": "reference", "parent": None, "period": PERIOD})
    return name


def _leaves_no_run(call, error: type[Exception], *needles: str) -> None:
    before = _runs_by_status()
    with pytest.raises(error) as caught:
        call()
    assert _runs_by_status() == before
    for needle in needles:
        assert needle in str(caught.value)


def test_an_unknown_dataset_leaves_no_run(small_dataset):
    strategy = load_strategy("achttien-zorgtoeslag")
    _leaves_no_run(lambda: run_strategy(strategy, "bestaat-niet"), DatasetNotFoundError,
                   "bestaat-niet")  # fmt: skip


def test_the_polis_without_the_amvb_is_denied_in_strict_mode_before_a_run_opens(small_dataset):
    strategy = load_strategy("baanverlies-toeslagen")
    _leaves_no_run(
        lambda: run_strategy(strategy, small_dataset),
        AccessDeniedError,
        "polis.",
        "wpd_gegevensdeling",
    )


def test_an_unknown_mode_leaves_no_run(small_dataset):
    strategy = load_strategy("achttien-zorgtoeslag")
    _leaves_no_run(lambda: run_strategy(strategy, small_dataset, mode="wild"), StrategyError,
                   "'wild'", "strict or audit")  # fmt: skip


def test_a_dataset_without_events_leaves_no_run(without_events):
    strategy = load_strategy("achttien-zorgtoeslag")
    _leaves_no_run(lambda: run_strategy(strategy, without_events), StrategyError,
                   without_events, "no life events")  # fmt: skip


def test_transfer_from_a_reference_dataset_leaves_no_run(small_dataset, tiny):
    strategy = load_strategy("achttien-zorgtoeslag")
    _leaves_no_run(
        lambda: run_strategy(strategy, small_dataset, transfer_to=tiny),
        StrategyError,
        "needs a synthetic dataset",
        small_dataset,
    )


def test_transfer_to_another_parent_names_the_right_one(small_dataset, small_population, tiny):
    # Only the manifest matters for this check: a synthetic-looking copy of the tiny cut.
    name = "nep-synthetisch"
    if name not in list_datasets():
        write_dataset(name, _cut(small_population, 200),
                      {"kind": "synthetic", "parent": tiny, "period": PERIOD})  # fmt: skip
    strategy = load_strategy("achttien-zorgtoeslag")
    _leaves_no_run(
        lambda: run_strategy(strategy, name, transfer_to=small_dataset),
        StrategyError,
        f"synthesised from {tiny}",
        f"use --transfer-to {tiny}",
    )


def test_a_failure_after_the_run_opened_ends_it_failed(tiny, monkeypatch):
    def broken(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("sandbox.proactive.run.write_outcome", broken)
    before = _runs_by_status()
    with pytest.raises(KeyboardInterrupt):
        run_strategy(load_strategy("reactief"), tiny, experiment="proactief-fout")
    assert _runs_by_status() - before == Counter({"FAILED": 1})
    assert "RUNNING" not in _runs_by_status()


# --- compare_runs ---------------------------------------------------------------------------


def test_compare_runs_puts_the_best_first(achttien):
    experiment = "vergelijking"
    for strategie, euro, kosten in (("a", 10.0, 5.0), ("b", 300.0, 9.0), ("c", 50.0, 1.0)):
        with start_run(experiment, tags={"strategie": strategie, "dataset": "klein"}):
            log_metrics({"euro_per_jaar": euro, "kosten": kosten, "bereik": 0.5})
    with pytest.raises(ValueError), start_run(experiment, tags={"strategie": "stuk"}):
        log_metrics({"euro_per_jaar": 1e9})
        raise ValueError("an unfinished run is not on the board")
    board = compare_runs(experiment)
    assert board["strategie"].tolist() == ["b", "c", "a"]
    assert board["euro_per_jaar"].tolist() == [300.0, 50.0, 10.0]
    assert compare_runs(experiment, sort="kosten")["strategie"].tolist() == ["c", "a", "b"]
    # the real run is on the default experiment's board, which is sorted the same way
    result, _, _ = achttien
    board = compare_runs()
    assert result.run_id[:8] in board["run"].tolist()
    assert board["euro_per_jaar"].is_monotonic_decreasing


def test_compare_runs_rejects_an_unknown_metric_and_experiment(achttien):
    with pytest.raises(StrategyError, match="unknown metric 'nope'; standard metrics: bereik"):
        compare_runs(sort="nope")
    with pytest.raises(StrategyError, match="no experiment 'bestaat-niet'"):
        compare_runs("bestaat-niet")


# --- transfer to the reference parent -------------------------------------------------------


@pytest.fixture(scope="module")
def synthetic_child(proactive_env, small_population: Population) -> tuple[str, str]:
    """A reference parent of 900 households and a synthetic dataset sampled from it."""
    from sandbox.synth import fit_synthesizer, sample_dataset

    parent, child = "transfer-bron", "transfer-synth"
    if child not in list_datasets():
        _write_cut(parent, small_population, 900)
        fit_synthesizer(parent, "gaussian_copula", "transfer-proef", seed=3, overwrite=True)
        sample_dataset("transfer-proef", 900, 11, child)
    return parent, child


@pytest.mark.slow
def test_transfer_logs_the_reference_and_the_gap_per_metric(synthetic_child):
    parent, child = synthetic_child
    assert read_manifest(child)["kind"] == "synthetic"
    assert read_manifest(child)["parent"] == parent
    result = run_strategy(load_strategy("achttien-zorgtoeslag"), child, transfer_to=parent)
    run = _client().get_run(result.run_id)
    logged = run.data.metrics
    assert run.data.params["transfer_to"] == parent
    checked = 0
    for name in METRICS:
        synthetic, reference = float(result.metrics[name]), float(result.reference[name])
        if math.isnan(synthetic) or math.isnan(reference):
            continue
        assert logged[f"referentie.{name}"] == pytest.approx(reference), name
        assert logged[f"transfer.verschil.{name}"] == pytest.approx(synthetic - reference), name
        checked += 1
    assert checked >= len(METRICS) - 2
    inputs = {
        i.dataset.name: {t.key: t.value for t in i.tags}["mlflow.data.context"]
        for i in run.inputs.dataset_inputs
    }
    assert inputs == {child: "populatie", parent: "referentie"}
    with pytest.raises(StrategyError, match=f"synthesised from {parent}; use --transfer-to"):
        run_strategy(load_strategy("achttien-zorgtoeslag"), child, transfer_to="klein")
