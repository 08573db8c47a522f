"""The report on a synthetic dataset: quality, diagnostic, household sizes, rules and privacy.

Everything is measured on the state at the peildatum (what the synthesizer learned), against
the source's training households; privacy also against the households held out of training.
The report is written as ``report.json`` and ``report.html`` next to the tables and logged to
MLflow in the experiment ``synthese``.
"""

from __future__ import annotations

import json
import os
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

from sandbox.dataset import load_dataset
from sandbox.errors import SynthError
from sandbox.synth.constraints import RULES, count_violations
from sandbox.synth.flat import DAYS_PER_YEAR, PERSON_ATTRIBUTES, household_view
from sandbox.synth.guard import check_release
from sandbox.synth.sample import source_everyone, source_of
from sandbox.synth.source import Source
from sandbox.synth.store import load, synthesizers_dir
from sandbox.tracking import log_artifact, log_dataset, log_metrics, log_params, start_run

__all__ = ["EXPERIMENT", "build_report", "report_dataset", "person_view", "start_state"]

EXPERIMENT = "synthese"
_TABLE = "tabel"
PRIVACY_ROWS = 600  # rows per DCR comparison: SDMetrics' DCR is quadratic (1,000 rows: ~1 min)
Progress = Callable[[str, int, int], None]


def start_state(
    households: pd.DataFrame, persons: pd.DataFrame, peildatum: pd.Timestamp
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Households and persons as they were on the peildatum (drop later births and households)."""
    hh = households[households["ontstaan"].isna()] if "ontstaan" in households else households
    p = persons[persons["geboortedatum"] < peildatum]
    p = p[p["household_id"].isin(hh["household_id"])]
    return hh.reset_index(drop=True), p.reset_index(drop=True)


def person_view(persons: pd.DataFrame, peildatum: pd.Timestamp) -> pd.DataFrame:
    """Persons without identities: rol, age in years and the attributes."""
    days = (peildatum - persons["geboortedatum"]).dt.days.to_numpy(float)
    view = persons[["rol", *PERSON_ATTRIBUTES]].copy()
    view.insert(1, "leeftijd", days / DAYS_PER_YEAR)
    return _plain(view)


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for col in out.columns:
        dtype = str(out[col].dtype)
        if dtype in ("string", "category") or dtype == "boolean" or out[col].dtype == bool:
            out[col] = out[col].astype(object)
        elif pd.api.types.is_numeric_dtype(out[col]):
            out[col] = out[col].astype(float)
    return out.reset_index(drop=True)


def _metadata(frame: pd.DataFrame) -> dict:
    columns = {}
    for col in frame.columns:
        values = frame[col].dropna()
        if pd.api.types.is_float_dtype(frame[col]):
            columns[col] = {"sdtype": "numerical"}
        elif len(values) and pd.api.types.infer_dtype(values) == "boolean":
            columns[col] = {"sdtype": "boolean"}
        else:
            columns[col] = {"sdtype": "categorical"}
    return {"columns": columns}


@contextmanager
def _quiet() -> Iterator[None]:
    """Silence SDMetrics' notices (future-deprecations, empty-pair runtime warnings)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", module=r"(sdmetrics|sklearn|scipy|pandas)(\.|$)")
        warnings.filterwarnings("ignore", category=FutureWarning)
        warnings.filterwarnings("ignore", category=RuntimeWarning)
        yield


def _quality(real: pd.DataFrame, synthetic: pd.DataFrame) -> dict:
    """SDMetrics' quality and diagnostic reports; pair trends also over all pairs.

    The headline pair-trend score is SDMetrics' default: only pairs whose real correlation
    exceeds 0.5 (numerical) or association 0.3 (categorical) count. The score over all pairs,
    as older SDMetrics versions computed it, is reported next to it.
    """
    from sdmetrics.reports import DiagnosticReport, QualityReport

    meta = {"tables": {_TABLE: _metadata(real)}}
    real_d, syn_d = {_TABLE: real}, {_TABLE: synthetic}
    with _quiet():
        quality = QualityReport()
        quality.generate(real_d, syn_d, meta, verbose=False)
        every_pair = QualityReport()
        every_pair.real_correlation_threshold = 0
        every_pair.real_association_threshold = 0
        every_pair._properties = {
            "Column Pair Trends": every_pair._properties["Column Pair Trends"]
        }
        every_pair.generate(real_d, syn_d, meta, verbose=False)
        diagnostic = DiagnosticReport()
        diagnostic.generate(real_d, syn_d, meta, verbose=False)
    props = quality.get_properties().set_index("Property")["Score"]
    diag = diagnostic.get_properties().set_index("Property")["Score"]
    shapes = quality.get_details("Column Shapes")
    worst = shapes.sort_values("Score").head(5)
    return {
        "kwaliteit": round(float(quality.get_score()), 4),
        "kolomvormen": round(float(props["Column Shapes"]), 4),
        "kolomparen": round(float(props["Column Pair Trends"]), 4),
        "kolomparen_alle_paren": round(
            float(every_pair.get_properties().set_index("Property")["Score"].iloc[0]), 4
        ),
        "diagnose": round(float(diagnostic.get_score()), 6),
        "diagnose_onderdelen": {k: round(float(v), 6) for k, v in diag.items()},
        "zwakste_kolommen": {r["Column"]: round(float(r["Score"]), 4) for _, r in worst.iterrows()},
    }


def _identical_share(real: pd.DataFrame, synthetic: pd.DataFrame) -> float:
    cols = list(real.columns)
    key_r = set(pd.util.hash_pandas_object(real[cols].astype(str), index=False))
    key_s = pd.util.hash_pandas_object(synthetic[cols].astype(str), index=False)
    return round(float(key_s.isin(key_r).mean()), 6)


def _privacy(train: pd.DataFrame, holdout: pd.DataFrame, synthetic: pd.DataFrame) -> dict:
    from sdmetrics.single_table import DCRBaselineProtection, DCROverfittingProtection

    rows = min(PRIVACY_ROWS, len(synthetic), len(holdout), len(train))
    rng = np.random.default_rng(0)
    pick = lambda f: f.iloc[rng.choice(len(f), rows, replace=False)].reset_index(drop=True)  # noqa: E731
    tr, ho, sy = pick(train), pick(holdout), pick(synthetic)
    # Columns empty in any of the three samples (no such members) carry no distance and break
    # the random baseline, which draws uniformly between a column's minimum and maximum.
    keep = [c for c in tr.columns if all(f[c].notna().any() for f in (tr, ho, sy))]
    tr, ho, sy = tr[keep], ho[keep], sy[keep]
    meta = {"tables": {_TABLE: _metadata(tr)}}
    with _quiet():
        np.random.seed(0)  # the baseline draws random rows from numpy's global state
        baseline = DCRBaselineProtection.compute_breakdown(tr, sy, meta, _TABLE)
        overfit = DCROverfittingProtection.compute_breakdown(tr, sy, ho, meta, _TABLE)
    return {
        "dcr_baseline_protection": round(float(baseline["score"]), 4),
        "dcr_baseline_details": {
            k: round(float(v), 4) for k, v in baseline["median_DCR_to_real_data"].items()
        },
        "dcr_overfitting_protection": round(float(overfit["score"]), 4),
        "dcr_overfitting_details": {
            k: round(float(v), 4) for k, v in overfit["synthetic_data_percentages"].items()
        },
        "rijen_per_vergelijking": rows,
    }


def _sizes(persons_real: pd.DataFrame, persons_syn: pd.DataFrame) -> dict:
    def dist(p: pd.DataFrame) -> pd.Series:
        size = p.groupby("household_id").size().clip(upper=6)
        return size.value_counts(normalize=True).sort_index()

    r, s = dist(persons_real), dist(persons_syn)
    index = sorted(set(r.index) | set(s.index))
    r, s = r.reindex(index, fill_value=0), s.reindex(index, fill_value=0)
    label = lambda k: "6+" if k == 6 else str(int(k))  # noqa: E731
    return {
        "bron": {label(k): round(float(v), 4) for k, v in r.items()},
        "synthetisch": {label(k): round(float(v), 4) for k, v in s.items()},
        "totale_variatieafstand": round(float((r - s).abs().sum() / 2), 4),
        "gemiddelde_grootte": {
            "bron": round(float(persons_real.groupby("household_id").size().mean()), 3),
            "synthetisch": round(float(persons_syn.groupby("household_id").size().mean()), 3),
        },
    }


def build_report(
    households: pd.DataFrame,
    persons: pd.DataFrame,
    source: Source,
    holdout_ids: list[int],
    *,
    source_all: tuple[pd.DataFrame, pd.DataFrame] | None = None,
    progress: Progress | None = None,
) -> dict:
    """Measure a synthetic population against its source.

    Args:
        households: the synthetic households (all, or on the peildatum).
        persons: the synthetic persons.
        source: the source on its peildatum.
        holdout_ids: source household ids kept out of training.
        source_all: all source households and persons, for the identity checks.
        progress: callback ``(step, done, total)``.

    Returns:
        The report as plain data.
    """
    report = progress or (lambda step, done, total: None)
    day = source.peildatum
    started = time.perf_counter()
    hh, p = start_state(households, persons, day)
    hold = source.households["household_id"].isin(holdout_ids)
    train_hh = source.households[~hold]
    train_p = source.persons[source.persons["household_id"].isin(train_hh["household_id"])]
    hold_hh = source.households[hold]
    hold_p = source.persons[source.persons["household_id"].isin(hold_hh["household_id"])]
    report("huishoudens", 0, 5)
    view_real = _plain(household_view(train_hh, train_p, day))
    view_syn = _plain(household_view(hh, p, day))
    view_hold = _plain(household_view(hold_hh, hold_p, day))
    out: dict = {"peildatum": day.date().isoformat()}
    out["huishoudens"] = _quality(view_real, view_syn)
    report("personen", 1, 5)
    persons_real, persons_syn = person_view(train_p, day), person_view(p, day)
    out["personen"] = _quality(persons_real, persons_syn)
    out["huishoudgrootte"] = _sizes(train_p, p)
    report("regels", 2, 5)
    out["regels"] = {
        "omschrijving": RULES,
        "schendingen_synthetisch": count_violations(hh, p, day),
        "schendingen_bron": count_violations(source.households, source.persons, day),
    }
    report("privacy", 3, 5)
    privacy = _privacy(view_real, view_hold, view_syn)
    privacy["identieke_rijen_huishoudens"] = _identical_share(view_real, view_syn)
    privacy["identieke_rijen_personen"] = _identical_share(persons_real, persons_syn)
    everyone = source_all or (source.households, source.persons)
    guard = check_release((hh, p), (source.households, source.persons), everyone)
    privacy["toets"] = guard.to_dict()
    out["privacy"] = privacy
    out["aantallen"] = {
        "bron_trainingshuishoudens": len(train_hh),
        "bron_holdouthuishoudens": len(hold_hh),
        "synthetische_huishoudens": len(hh),
        "synthetische_personen": len(p),
    }
    out["seconden"] = round(time.perf_counter() - started, 1)
    report("klaar", 5, 5)
    return out


def _html(report: dict, title: str) -> str:
    def table(rows: dict) -> str:
        body = "".join(
            f"<tr><th>{k}</th><td>{v if not isinstance(v, dict) else table(v)}</td></tr>"
            for k, v in rows.items()
        )
        return f"<table>{body}</table>"

    style = (
        "body{font-family:sans-serif;margin:2em;max-width:70em}"
        "table{border-collapse:collapse;margin:.3em 0}"
        "th,td{border:1px solid #ccc;padding:.2em .6em;text-align:left;vertical-align:top}"
    )
    sections = "".join(
        f"<h2>{k}</h2>{table(v) if isinstance(v, dict) else v}" for k, v in report.items()
    )
    return (
        f"<!doctype html><html lang='nl'><head><meta charset='utf-8'><title>{title}</title>"
        f"<style>{style}</style></head><body><h1>{title}</h1>{sections}</body></html>\n"
    )


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def report_dataset(name: str, *, track: bool = True, progress: Progress | None = None) -> dict:
    """Write ``report.json`` and ``report.html`` for a synthetic dataset and log them to MLflow.

    Args:
        name: the synthetic dataset.
        track: log the run to MLflow (experiment ``synthese``).
        progress: callback ``(step, done, total)``.

    Returns:
        The report (with ``mlflow_run_id`` when tracked).

    Raises:
        DatasetNotFoundError: no such dataset.
        SynthError: the dataset is not synthetic, or its synthesizer or source is gone.
    """
    data = load_dataset(name)
    if data.manifest.get("kind") != "synthetic":
        raise SynthError(
            f"dataset '{name}' is of kind '{data.manifest.get('kind')}'; "
            "a report compares a synthetic dataset with its source"
        )
    syn = load(data.manifest["synthesizer"]["name"])
    source = source_of(syn)
    report = {
        "dataset": name,
        "bron": syn.info["bron"],
        "synthesizer": {k: syn.info[k] for k in ("name", "model", "seed")},
        **build_report(
            data.households,
            data.persons,
            source,
            syn.holdout,
            source_all=source_everyone(source),
            progress=progress,
        ),
    }
    json_path, html_path = data.path / "report.json", data.path / "report.html"
    _write(json_path, json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    _write(html_path, _html(report, f"Rapport synthetische populatie {name}"))
    if track:
        report["mlflow_run_id"] = _track(report, data.manifest, syn, json_path, html_path)
    return report


def _track(report: dict, manifest: dict, syn, json_path: Path, html_path: Path) -> str:
    with start_run(EXPERIMENT, run_name=report["dataset"], tags={"soort": "synthese"}) as run:
        log_params(
            {
                "synthesizer": syn.name,
                "model": syn.info["model"],
                "fit_seed": syn.info["seed"],
                "sample_seed": manifest.get("seed"),
                "huishoudens": report["aantallen"]["synthetische_huishoudens"],
                "bron": syn.info["bron"]["naam"],
                "holdout_aandeel": syn.info["holdout"]["aandeel"],
            }
        )
        metrics = {
            "huishoudens": {
                k: v for k, v in report["huishoudens"].items() if k != "zwakste_kolommen"
            },
            "personen": {k: v for k, v in report["personen"].items() if k != "zwakste_kolommen"},
            "huishoudgrootte": {"tva": report["huishoudgrootte"]["totale_variatieafstand"]},
            "schendingen": report["regels"]["schendingen_synthetisch"],
            "privacy": {k: v for k, v in report["privacy"].items() if not isinstance(v, dict)}
            | {
                "kopieen": report["privacy"]["toets"]["copied_households"],
                "bsn_overlap": report["privacy"]["toets"]["bsn_overlap"],
                "identiteit_overlap": report["privacy"]["toets"]["identity_overlap"],
            },
        }
        log_metrics(metrics)
        bron = syn.info["bron"]
        if bron["soort"] == "dataset":
            log_dataset(bron["naam"], context="bron")
        else:
            extract = {"name": bron["naam"], "path": bron["pad"], "digest": bron["digest"]}
            log_dataset(extract, context="bron")
        log_dataset(report["dataset"], context="synthetisch")
        log_artifact(json_path, "rapport")
        log_artifact(html_path, "rapport")
        log_artifact(synthesizers_dir() / syn.name, "synthesizer")
        return run.info.run_id
