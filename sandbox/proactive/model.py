"""A contact decision by a scikit-learn model: the chance that a unit is an entitled non-claimer.

`train_model` labels what the registers show of a dataset (``obs_persoon`` / ``obs_huishouden``)
with its ground truth and fits a classifier; a strategy with ``beslissing: {soort: model}``
loads the saved model (`load_model`) and contacts the units it scores at or above ``drempel``.
"""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import joblib
import numpy as np
import pandas as pd
import sklearn
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import InconsistentVersionWarning
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GroupShuffleSplit, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder
from threadpoolctl import threadpool_limits

from sandbox.errors import LandscapeError, StrategyError
from sandbox.landscape import OBSERVED_PREFIX, load_defects, load_landscape, observe
from sandbox.proactive.population import Prepared
from sandbox.proactive.takeup import claim_starts, load_behaviour, load_calibration
from sandbox.proactive.takeup import non_take_up_odds as _odds
from sandbox.rules import Regeling
from sandbox.tracking import dataset_digest

__all__ = ["FEATURES", "ContactModel", "train_model", "save_model", "load_model"]

# Observed-frame columns a model may read, per unit kind, each held by a register (registers.yaml):
# brp (leeftijd, partner, bewoners, kinderen), belastingdienst (toetsingsinkomen, vermogen),
# polis (loon), zorgverzekeraars (verzekering), svb (aow_opbouwjaren), gemeente (woz: WOZ-waarde,
# woonsituatie, one-hot encoded). Not kale_huur/servicekosten: a verhuurder's administration is
# no government register and nobody may read it proactively (toegang.yaml).
FEATURES: dict[str, tuple[str, ...]] = {
    "persoon": (
        "leeftijd", "heeft_partner", "partner_leeftijd", "aantal_personen", "kinderen",
        "inkomen", "partner_inkomen", "ouders_inkomen", "vermogen", "partner_vermogen",
        "inkomen_maand", "zorgverzekerd", "partner_zorgverzekerd", "aow_opbouwjaren",
    ),
    "huishouden": (
        "aanvrager_leeftijd", "partner_leeftijd", "heeft_partner", "aantal_personen",
        "kinderen", "personen_18_plus", "oudste_leeftijd", "aanvrager_inkomen",
        "partner_inkomen", "aanvrager_vermogen", "partner_vermogen", "aanvrager_inkomen_maand",
        "partner_inkomen_maand", "aanvrager_zorgverzekerd", "partner_zorgverzekerd",
        "aanvrager_aow_opbouwjaren", "woz_waarde", "woonsituatie",
    ),
}  # fmt: skip
_CATEGORICAL = ("woonsituatie",)
# One OpenMP thread: scoring runs on a few dozen rows per month, where thread start-up costs
# more than it saves, and on a busy machine spinning OpenMP threads slow fitting tenfold.
_THREADS = 1
_UNIT_ID = {"persoon": "person_id", "huishouden": "household_id"}


@dataclass
class ContactModel:
    """A fitted classifier for one regeling, with what it was trained on.

    Attributes:
        regeling: the regeling whose entitled non-claimers the model finds.
        eenheid: ``persoon`` or ``huishouden``, the regeling's unit.
        features: the observed-frame columns the model reads (the registers a strategy needs).
        estimator: the fitted scikit-learn pipeline (one-hot encoding → gradient boosting).
        trained_on: dataset, digest, period, seed, rows, positives, held-out AUC, sklearn version.
    """

    regeling: str
    eenheid: str
    features: list[str]
    estimator: Pipeline = field(repr=False)
    trained_on: dict

    def score(
        self, con: duckdb.DuckDBPyConnection, reg: Regeling, unit_ids: np.ndarray, month: dt.date
    ) -> np.ndarray:
        """Probability per unit that it is an entitled non-claimer of the regeling in ``month``.

        Args:
            con: a connection holding ``obs_persoon`` / ``obs_huishouden`` (`observe`).
            reg: the regeling the strategy checks; must be the one the model was trained for.
            unit_ids: person or household ids.
            month: first day of the month whose register view is scored.

        Returns:
            One probability per id, in the order of ``unit_ids``; 0.0 for a unit the registers
            do not show in that month.

        Raises:
            StrategyError: the model was trained for another regeling.
        """
        if reg.id != self.regeling:
            raise StrategyError(
                f"the model was trained for {self.regeling}, not {reg.id}; train one per "
                f"regeling with train_model(prepared, '{reg.id}')"
            )
        ids = np.asarray(unit_ids, dtype=np.int64)
        out = np.zeros(len(ids))
        if not len(ids):
            return out
        frame = _read(con, self.eenheid, self.features, [month], ids)
        frame = frame.drop_duplicates("unit_id")
        if frame.empty:
            return out
        with threadpool_limits(_THREADS, user_api="openmp"):
            proba = self.estimator.predict_proba(frame[self.features])[:, 1]
        where = pd.Index(frame["unit_id"]).get_indexer(ids)
        found = where >= 0
        out[found] = proba[where[found]]
        return out


def _read(
    con: duckdb.DuckDBPyConnection,
    eenheid: str,
    features: list[str],
    months: list[dt.date],
    ids: np.ndarray | None = None,
) -> pd.DataFrame:
    """unit_id, peildatum and the features (numbers as DOUBLE, NULL → NaN) of the view."""
    cols = [
        f"coalesce({c}::VARCHAR, 'onbekend') AS {c}" if c in _CATEGORICAL else f"{c}::DOUBLE AS {c}"
        for c in features
    ]
    key = _UNIT_ID[eenheid]
    where = f" AND {key} IN (SELECT unnest(?::BIGINT[]))" if ids is not None else ""
    params: list = [list(months)] + ([ids.tolist()] if ids is not None else [])
    return con.execute(
        f"SELECT {key} AS unit_id, peildatum, {', '.join(cols)} FROM {OBSERVED_PREFIX}_{eenheid} "
        f"WHERE peildatum IN (SELECT unnest(?::DATE[])){where} ORDER BY unit_id, peildatum",
        params,
    ).df()


def _features(eenheid: str, registers: list[str] | None) -> list[str]:
    features = list(FEATURES[eenheid])
    if registers is None:
        return features
    landscape = load_landscape()
    for register in registers:
        try:
            landscape.check_register(register)
        except LandscapeError as exc:
            raise StrategyError(f"train_model: registers: {exc}") from None
    return [c for c in features if landscape.column_source(c)[0] in registers]


def _pipeline(features: list[str], seed: int) -> Pipeline:
    cats = [c for c in features if c in _CATEGORICAL]
    encode = ColumnTransformer(
        [("categorie", OneHotEncoder(handle_unknown="ignore", sparse_output=False), cats)],
        remainder="passthrough",
    )
    boost = HistGradientBoostingClassifier(max_iter=200, random_state=seed)
    return Pipeline([("codering", encode), ("model", boost)])


def train_model(
    prepared: Prepared,
    regeling: str,
    *,
    seed: int = 1,
    max_rows: int = 200_000,
    registers: list[str] | None = None,
) -> ContactModel:
    """Fit a model of who is an entitled non-claimer of ``regeling``, on what registers show.

    Every (unit, month) of the observed frame (default defects, `observe` with ``seed``; this
    replaces the ``obs_*`` tables in ``prepared.con``) in a month the regeling is evaluated is
    labelled 1 when in the truth the unit is entitled and, under the reactive baseline (the
    stored take-up calibration, ``seed``), not claiming in that month. Of a stratified sample
    of at most ``max_rows`` rows, the rows of a quarter of the units are held out; the ROC AUC
    on them goes into ``trained_on``.

    Args:
        prepared: the training dataset's ground truth (`sandbox.proactive.prepare`).
        regeling: the regeling id.
        seed: seed of the defects, the take-up draws, the sample and the classifier.
        max_rows: the most (unit, month) rows to use.
        registers: use only the columns of these registers (default: all of `FEATURES`), e.g.
            those the strategy's organisation may read.

    Returns:
        The fitted model.

    Raises:
        StrategyError: an unknown regeling or register, no calibration for the regeling, or
            too few entitled non-claimers to learn from.
    """
    if regeling not in prepared.regelingen:
        raise StrategyError(
            f"train_model: unknown regeling '{regeling}' for dataset {prepared.name}; "
            f"known: {', '.join(sorted(prepared.regelingen))}"
        )
    reg = prepared.regelingen[regeling]
    features = _features(reg.eenheid, registers)
    calibration = load_calibration()["regelingen"]
    if regeling not in calibration:
        raise StrategyError(
            f"no take-up calibration for {regeling}; run `sandbox takeup calibrate nl-default`"
        )
    landscape = load_landscape()
    observe(prepared.con, landscape, load_defects(landscape=landscape), prepared.months, seed)
    months = sorted(prepared.evaluated.get(regeling, []))
    frame = _read(prepared.con, reg.eenheid, features, months)
    behaviour = load_behaviour()
    intercepts = {r: float(c["intercept"]) for r, c in calibration.items()}
    baseline = claim_starts(
        prepared.pairs, intercepts, _odds(prepared.pairs, behaviour), behaviour, seed
    )
    pair = prepared.pair_ids(regeling, frame["unit_id"].to_numpy())
    first = prepared.months[0]
    day = frame["peildatum"].dt
    m = ((day.year - first.year) * 12 + day.month - first.month).to_numpy()
    known = pair >= 0
    label = np.zeros(len(frame), dtype=np.int8)
    label[known] = prepared.entitled[pair[known], m[known]] & (baseline[pair[known]] > m[known])
    if label.sum() < 20:
        raise StrategyError(
            f"train_model: only {int(label.sum())} entitled non-claimer rows of {regeling} in "
            f"dataset {prepared.name}; train on a larger dataset or a longer period"
        )
    rows = np.arange(len(frame))
    if len(rows) > max_rows:
        rows, _ = train_test_split(rows, train_size=max_rows, stratify=label, random_state=seed)
    # Hold out a quarter of the units, not of the rows: a unit's months look alike, and a
    # model that saw some of them would be scored on what it memorised.
    split = GroupShuffleSplit(n_splits=1, test_size=0.25, random_state=seed)
    fit, held = next(split.split(rows, groups=frame["unit_id"].to_numpy()[rows]))
    train, test = rows[fit], rows[held]
    estimator = _pipeline(features, seed)
    with threadpool_limits(_THREADS, user_api="openmp"):
        estimator.fit(frame.loc[train, features], label[train])
        proba = estimator.predict_proba(frame.loc[test, features])[:, 1]
    trained_on = {
        "dataset": prepared.name,
        "digest": dataset_digest(prepared.manifest),
        "periode": f"{months[0]:%Y-%m}..{months[-1]:%Y-%m}",
        "seed": seed,
        "rijen": int(len(rows)),
        "positief": int(label[rows].sum()),
        "auc": round(float(roc_auc_score(label[test], proba)), 4),
        "sklearn": sklearn.__version__,
    }
    return ContactModel(regeling, reg.eenheid, features, estimator, trained_on)


def save_model(model: ContactModel, path: Path) -> Path:
    """Write ``model`` to ``path`` (joblib) atomically: a temporary file, then a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    joblib.dump(model, tmp)
    tmp.replace(path)
    return path


def load_model(path: str | Path) -> ContactModel:
    """Read a model saved by `save_model`. Unpickling runs code: load only files you trust.

    Raises:
        StrategyError: the file is missing or unreadable, holds something other than a
            `ContactModel`, or was written with another scikit-learn version.
    """
    path = Path(path).expanduser()
    retrain = "train and save it again with sandbox.proactive.model (train_model, save_model)"
    if not path.is_file():
        raise StrategyError(f"{path}: model file not found; {retrain}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", InconsistentVersionWarning)
            model = joblib.load(path)
    except InconsistentVersionWarning as exc:
        raise StrategyError(
            f"{path}: written with scikit-learn {exc.original_sklearn_version}, this is "
            f"{sklearn.__version__}; {retrain}"
        ) from None
    except Exception as exc:  # a pickle can fail in many ways; all mean "not a model file"
        raise StrategyError(f"{path}: not a model file ({type(exc).__name__}); {retrain}") from None
    if not isinstance(model, ContactModel):
        raise StrategyError(
            f"{path}: holds a {type(model).__name__}, not a ContactModel; {retrain}"
        )
    stored = str(model.trained_on.get("sklearn", "?"))
    if stored.split(".")[:2] != sklearn.__version__.split(".")[:2]:
        raise StrategyError(
            f"{path}: trained with scikit-learn {stored}, this is {sklearn.__version__}; {retrain}"
        )
    return model
