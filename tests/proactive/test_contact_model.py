"""The model contact decision: trained on one dataset's truth, scoring what the registers show."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sklearn.base
import yaml

from sandbox.dataset import write_dataset
from sandbox.errors import StrategyError
from sandbox.landscape import load_defects, load_landscape, observe
from sandbox.proactive import load_strategy, simulate, strategies_dir
from sandbox.proactive.model import (
    FEATURES,
    ContactModel,
    load_model,
    save_model,
    train_model,
)
from sandbox.tracking import dataset_digest
from sandbox.world import Population

# What the Dienst Toeslagen may read for proactive service (toegang.yaml): not polis, svb, gemeente.
REGISTERS = ["brp", "belastingdienst", "zorgverzekeraars"]
ROWS = 20_000  # enough for a stable AUC, fits in seconds
HOUSEHOLDS = 2_500  # of nl-small's ~9,600 at the start: the second, smaller dataset
PEILDATUM = pd.Timestamp("2025-01-01")


@pytest.fixture(scope="module")
def trained(prepared) -> ContactModel:
    """A zorgtoeslag model trained on 'klein' with the registers the strategy may read."""
    return train_model(prepared, "zorgtoeslag", max_rows=ROWS, registers=REGISTERS)


@pytest.fixture(scope="module")
def model_file(trained: ContactModel, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_model(trained, tmp_path_factory.mktemp("model") / "zorgtoeslag.joblib")


@pytest.fixture(scope="module")
def other_prepared(proactive_env, small_population: Population):
    """A quarter of nl-small's households (cut as in tests/synth) as dataset 'train', 2025 only."""
    from sandbox.proactive import prepare

    hh = small_population.households
    hh = hh[hh["ontstaan"].isna()]
    hh = hh[hh["household_id"] < HOUSEHOLDS]
    persons = small_population.persons
    persons = persons[persons["household_id"].isin(hh["household_id"])]
    persons = persons[persons["geboortedatum"] < PEILDATUM]
    events = small_population.events
    events = events[events["person_id"].isin(persons["person_id"])]
    tables = {"households": hh, "persons": persons, "events": events}
    manifest = {
        "kind": "reference",
        "parent": None,
        "seed": 20250101,
        "period": {"van": "2025-01", "tot": "2026-12"},
    }
    write_dataset("train", tables, manifest, overwrite=True)
    return prepare("train", ["zorgtoeslag"], period="2025-01..2025-12")


def _strategy(folder: Path, model: Path, drempel: float):
    raw = yaml.safe_load((strategies_dir() / "achttien-zorgtoeslag.yaml").read_text())
    raw["id"] = "achttien-zorgtoeslag-model"
    raw["leest"] = [*REGISTERS, "toeslagen"]
    raw["beslissing"] = {
        "soort": "model",
        "model": str(model),
        "drempel": drempel,
        "bestaande_gebruikers_uitsluiten": True,
    }
    path = folder / f"model-{drempel}.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return load_strategy(path)


def _contact_scores(model: ContactModel, outcome) -> np.ndarray:
    """The model's score of every contacted unit, in the month it was contacted."""
    contacts = outcome.contacts.reset_index(drop=True)
    reg = outcome.prepared.regelingen["zorgtoeslag"]
    scores = np.full(len(contacts), np.nan)
    for month, rows in contacts.groupby("maand"):
        ids = rows["unit_id"].to_numpy()
        scores[rows.index] = model.score(outcome.prepared.con, reg, ids, month.date())
    return scores


def test_model_trained_on_klein_records_where_it_came_from_and_beats_auc_0_7(trained, prepared):
    info = trained.trained_on
    assert (trained.regeling, trained.eenheid) == ("zorgtoeslag", "persoon")
    assert info["dataset"] == "klein"
    assert info["digest"] == dataset_digest(prepared.manifest)
    assert info["periode"] == "2025-01..2026-12"
    assert info["rijen"] == ROWS
    assert 0 < info["positief"] < ROWS
    assert info["sklearn"] == sklearn.__version__
    assert info["auc"] > 0.7, info
    landscape = load_landscape()
    assert set(trained.features) <= set(FEATURES["persoon"])
    assert {landscape.column_source(c)[0] for c in trained.features} <= set(REGISTERS)
    assert "inkomen_maand" not in trained.features  # polis: not readable without an AMvB


def test_a_saved_model_loads_and_scores_the_same(trained, model_file, prepared):
    # a simulation in between drops the registers' view; score reads it
    observe(prepared.con, load_landscape(), load_defects(), prepared.months, 1)
    month = prepared.months[6]
    ids = prepared.con.execute(
        "SELECT person_id FROM obs_persoon WHERE peildatum = ? ORDER BY person_id LIMIT 400",
        [month],
    ).fetchnumpy()["person_id"]
    ids = np.append(ids[::-1], -1)  # any order; an unknown unit scores 0
    reg = prepared.regelingen["zorgtoeslag"]
    before = trained.score(prepared.con, reg, ids, month)
    after = load_model(model_file).score(prepared.con, reg, ids, month)
    np.testing.assert_array_equal(before, after)
    assert after[-1] == 0.0
    assert ((after >= 0) & (after <= 1)).all() and after.std() > 0


@pytest.fixture(scope="module")
def everyone(prepared, model_file: Path, tmp_path_factory: pytest.TempPathFactory):
    """The run with threshold 0: every triggered unit not yet claiming, whatever the model."""
    return simulate(
        prepared,
        _strategy(tmp_path_factory.mktemp("iedereen"), model_file, 0.0),
        keep_observed=True,
    )


def test_a_threshold_of_one_contacts_nobody(model_file, prepared, everyone, tmp_path):
    assert len(everyone.contacts) > 0
    outcome = simulate(prepared, _strategy(tmp_path, model_file, 1.0), keep_observed=True)
    assert outcome.contacts.empty


def test_a_model_trained_on_another_dataset_contacts_on_klein_who_scores_above_the_threshold(
    other_prepared, prepared, everyone, tmp_path
):
    model = train_model(other_prepared, "zorgtoeslag", max_rows=ROWS, registers=REGISTERS)
    assert (model.trained_on["dataset"], model.trained_on["periode"]) == (
        "train",
        "2025-01..2025-12",
    )
    assert model.trained_on["digest"] != dataset_digest(prepared.manifest)
    assert model.trained_on["auc"] > 0.7, model.trained_on
    path = save_model(model, tmp_path / "train.joblib")
    outcome = simulate(prepared, _strategy(tmp_path, path, 0.3), keep_observed=True)
    assert len(outcome.contacts) > 0
    assert (_contact_scores(model, outcome) >= 0.3).all()
    # Exactly those of the threshold-0 run that the model scores at 0.3 or more.
    high = _contact_scores(model, everyone) >= 0.3
    assert 0 < high.sum() < len(high)
    expected = everyone.contacts[high]
    chosen = set(zip(outcome.contacts["maand"], outcome.contacts["unit_id"], strict=True))
    assert chosen == set(zip(expected["maand"], expected["unit_id"], strict=True))


def test_an_unknown_regeling_lists_the_known_ones(prepared):
    with pytest.raises(
        StrategyError, match=r"unknown regeling 'zorgtoeslagg'.*known: .*zorgtoeslag"
    ):
        train_model(prepared, "zorgtoeslagg")


def test_a_model_refuses_to_score_another_regeling(trained, prepared):
    with pytest.raises(StrategyError, match="trained for zorgtoeslag, not huurtoeslag"):
        trained.score(
            prepared.con, prepared.regelingen["huurtoeslag"], np.array([1]), prepared.months[0]
        )


def _stale_model(trained: ContactModel, path: Path) -> None:
    trained_on = {**trained.trained_on, "sklearn": "0.24.2"}
    save_model(ContactModel(**{**vars(trained), "trained_on": trained_on}), path)


def _old_pickle(trained: ContactModel, path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with monkeypatch.context() as mp:  # estimators record the version they are pickled with
        mp.setattr(sklearn.base, "__version__", "0.24.2")
        save_model(trained, path)


@pytest.mark.parametrize(
    ("write", "message"),
    [
        (None, "model file not found"),
        (lambda t, p, mp: p.write_bytes(pickle.dumps({"regeling": "zorgtoeslag"})), "holds a dict"),
        (lambda t, p, mp: p.write_text("geen model"), "not a model file"),
        (lambda t, p, mp: _stale_model(t, p), "trained with scikit-learn 0.24.2"),
        (_old_pickle, "written with scikit-learn 0.24.2"),
    ],
    ids=["missing", "something-else", "not-a-pickle", "stored-version", "pickled-version"],
)
def test_an_unusable_model_file_is_one_line_naming_the_file_and_the_fix(
    trained, tmp_path, monkeypatch, write, message
):
    path = tmp_path / "model.joblib"
    if write:
        write(trained, path, monkeypatch)
    with pytest.raises(StrategyError) as info:
        load_model(path)
    text = str(info.value)
    assert "\n" not in text
    assert str(path) in text and message in text and "train_model" in text
