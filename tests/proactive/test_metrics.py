"""The metrics of a run, recomputed from the raw outcome and the ground truth, equal `score()`.

Every figure here is rebuilt from its definition (docs/proactive.md, `metrics.METRICS`) with
plain pandas over the contacts table, the ``rechten`` table in DuckDB, the claim starts and the
audit log — never through the helpers of `sandbox.proactive.metrics`.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import yaml

from sandbox.proactive import METRICS, load_strategy, score, simulate, strategies_dir
from sandbox.proactive.takeup import NEVER

RUNS = {
    "achttien-zorgtoeslag": [],
    "geboorte-kind": [],
    "baanverlies-toeslagen": ["amvb=[wpd_gegevensdeling]"],
}
DIMENSIONS = ("herkomst", "leeftijd_groep", "digitale_vaardigheid")
GEDRAG = strategies_dir().parent / "data" / "gedrag.yaml"


def month_index(dates: pd.Series, first) -> np.ndarray:
    """Months between ``first`` and each date (both read as the month they fall in)."""
    dates = pd.to_datetime(dates)
    return ((dates.dt.year - first.year) * 12 + dates.dt.month - first.month).to_numpy()


@pytest.fixture(scope="module")
def truth(prepared) -> pd.DataFrame:
    """Every entitled unit-month of the ground truth, with its pair and month index."""
    cells = prepared.con.execute(
        "SELECT regeling::VARCHAR AS regeling, unit_id, peildatum, bedrag_maand "
        "FROM rechten WHERE recht"
    ).df()
    cells["m"] = month_index(cells["peildatum"], prepared.months[0])
    keys = prepared.pairs[["regeling", "unit_id"]].reset_index(names="paar")
    cells = cells.merge(keys, on=["regeling", "unit_id"], how="left", validate="many_to_one")
    assert cells["paar"].notna().all()
    return cells


@pytest.fixture(scope="module")
def kenmerken(prepared) -> pd.DataFrame:
    """Per pair the fairness groups: herkomst and digital skills of its person (persons table).

    The age group is the one `prepare` derived (age at the first entitled month).
    """
    persons = prepared.con.execute(
        "SELECT person_id, herkomst, digitale_vaardigheid FROM persons"
    ).df()
    pairs = prepared.pairs[["person_id", "leeftijd_groep"]].reset_index(names="paar")
    return pairs.merge(persons, on="person_id", how="left", validate="many_to_one")


@pytest.fixture(scope="module")
def kosten_per_kanaal() -> dict[str, float]:
    raw = yaml.safe_load(GEDRAG.read_text(encoding="utf-8"))
    return {name: float(k["kosten"]["waarde"]) for name, k in raw["kanalen"].items()}


@pytest.fixture(scope="module", params=list(RUNS), ids=list(RUNS))
def run(request, prepared):
    """One strategy simulated on 'klein' and scored."""
    strategy = load_strategy(request.param, RUNS[request.param])
    outcome = simulate(prepared, strategy)
    return outcome, score(outcome)


def recompute(outcome, truth, kenmerken, kosten_per_kanaal) -> tuple[dict, pd.DataFrame]:
    """All metrics and the per-regeling table, straight from the definitions."""
    strategy = outcome.strategy
    months = len(outcome.prepared.months)
    first = outcome.prepared.months[0]
    cells = truth[truth["regeling"].isin(strategy.regelingen)].copy()
    cells["basis_start"] = outcome.baseline_start[cells["paar"]]
    cells["start"] = outcome.start[cells["paar"]]
    cells["gemist_basis"] = cells["m"] < cells["basis_start"]
    cells["gemist"] = cells["m"] < cells["start"]
    cells["extra"] = (cells["m"] >= cells["start"]) & (cells["m"] < cells["basis_start"])
    cells["euro_extra"] = np.where(cells["extra"], cells["bedrag_maand"], 0.0)

    pairs = cells.groupby("paar").agg(
        regeling=("regeling", "first"), doelgroep=("gemist_basis", "any")
    )
    pairs["nieuw"] = outcome.start[pairs.index] < outcome.baseline_start[pairs.index]

    c = outcome.contacts.copy()
    n = len(c)
    if n:
        c["m"] = month_index(c["maand"], first)
        on = ["regeling", "unit_id", "m"]
        c = c.merge(cells[on], on=on, how="left", indicator=True)
        c["recht_waar"] = c.pop("_merge") == "both"
        p = c["paar"].to_numpy()
        before = np.where(p >= 0, outcome.baseline_start[np.maximum(p, 0)], NEVER)
        # one contact per pair, so its claim start just before the contact is the baseline's
        c["mist"] = c["recht_waar"] & (c["m"].to_numpy() < before)
        hit_pairs = set(c.loc[c["mist"], "paar"])
    else:
        c = c.assign(recht_waar=pd.Series(dtype=bool), mist=pd.Series(dtype=bool))
        hit_pairs = set()
    pairs["bereikt"] = pairs.index.isin(list(hit_pairs))

    rows = []
    for name in strategy.regelingen:
        sel = cells[cells["regeling"] == name]
        basis = 100 * sel["gemist_basis"].sum() / len(sel)
        met = 100 * sel["gemist"].sum() / len(sel)
        rows.append(
            {
                "regeling": name,
                "paren": sel["paar"].nunique(),
                "niet_gebruik_basis": basis,
                "niet_gebruik": met,
                "take_up_winst_pp": basis - met,
                "euro_per_jaar": sel["euro_extra"].sum() * 12 / months,
                "contacten": int((c["regeling"] == name).sum()) if n else 0,
                "nieuwe_aanvragen": int(pairs.loc[pairs["regeling"] == name, "nieuw"].sum()),
            }
        )
    table = pd.DataFrame(rows)

    target = pairs[pairs["doelgroep"]].join(kenmerken.set_index("paar"))
    gaps = {}
    for dim in DIMENSIONS:
        groups = target.groupby(target[dim].fillna("onbekend"))["bereikt"]
        reach = groups.mean()[groups.size() >= 30]
        gaps[dim] = reach.max() - reach.min() if len(reach) >= 2 else 0.0

    basis = 100 * cells["gemist_basis"].sum() / len(cells)
    met = 100 * cells["gemist"].sum() / len(cells)
    new_claims = int(pairs["nieuw"].sum())
    audit = outcome.audit
    expected = {
        "bereik": target["bereikt"].mean(),
        "precisie": c["mist"].sum() / n if n else 0.0,
        "niet_gebruik_basis": basis,
        "niet_gebruik": met,
        "take_up_winst_pp": basis - met,
        "euro_per_jaar": cells["euro_extra"].sum() * 12 / months,
        "contacten": n,
        "contacten_zonder_recht": int((~c["recht_waar"]).sum()),
        "nieuwe_aanvragen": new_claims,
        "contacten_per_nieuwe_aanvraag": n / new_claims if new_claims else math.nan,
        "kosten": n * kosten_per_kanaal[strategy.kanaal],
        "mediaan_dagen_tot_contact": float(
            (c["contact_datum"] - c["gebeurtenis_datum"]).dt.days.median()
        ),
        "fairness_gap": max(gaps.values()),
        "registers_gelezen": audit["register"].nunique(),
        "attributen_gelezen": (audit["register"] + "." + audit["attribuut"]).nunique(),
        "grondslag_schendingen": int((~audit["toegestaan"].astype(bool)).sum()),
    }
    expected |= {f"fairness_gap.{dim}": gap for dim, gap in gaps.items()}
    for row in rows:
        for key in ("niet_gebruik_basis", "niet_gebruik", "take_up_winst_pp", "euro_per_jaar"):
            expected[f"regeling.{row['regeling']}.{key}"] = row[key]
    return expected, table


COUNTS = (
    "contacten",
    "contacten_zonder_recht",
    "nieuwe_aanvragen",
    "registers_gelezen",
    "attributen_gelezen",
    "grondslag_schendingen",
)


def test_the_pairs_are_the_units_entitled_in_some_month_of_rechten(prepared, truth):
    distinct = truth[["regeling", "unit_id"]].drop_duplicates()
    assert len(distinct) == len(prepared.pairs) == prepared.entitled.any(axis=1).sum()
    assert prepared.entitled.sum() == len(truth)
    assert prepared.entitled[truth["paar"], truth["m"]].all()
    np.testing.assert_allclose(
        prepared.amount[truth["paar"], truth["m"]], truth["bedrag_maand"].to_numpy()
    )
    first = truth.groupby("paar")["m"].min()
    assert (prepared.pairs.loc[first.index, "eerste"].to_numpy() == first.to_numpy()).all()


def test_every_metric_equals_its_recomputation_from_the_raw_outcome(
    run, truth, kenmerken, kosten_per_kanaal
):
    outcome, (metrics, _, _) = run
    expected, _ = recompute(outcome, truth, kenmerken, kosten_per_kanaal)
    assert set(METRICS) <= set(metrics)
    assert set(metrics) == set(expected)
    assert len(outcome.contacts) > 0, "a run without contacts tests little"
    for key in COUNTS:
        assert metrics[key] == expected[key], key
    for key in set(expected) - set(COUNTS):
        assert metrics[key] == pytest.approx(expected[key], rel=1e-9, abs=1e-12, nan_ok=True), key


def test_the_per_regeling_table_equals_its_recomputation(run, truth, kenmerken, kosten_per_kanaal):
    outcome, (_, table, _) = run
    _, expected = recompute(outcome, truth, kenmerken, kosten_per_kanaal)
    assert table["regeling"].tolist() == outcome.strategy.regelingen
    pd.testing.assert_frame_equal(
        table.reset_index(drop=True), expected, check_dtype=False, check_exact=False, rtol=1e-9
    )


def test_the_pair_table_marks_target_pairs_reached_and_new_claims(run, truth):
    outcome, (_, _, pairs) = run
    cells = truth[truth["regeling"].isin(outcome.strategy.regelingen)]
    assert sorted(pairs["paar"]) == sorted(cells["paar"].unique())
    missed = cells["m"] < outcome.baseline_start[cells["paar"]]
    target = set(cells.loc[missed.to_numpy(), "paar"])
    assert set(pairs.loc[pairs["doelgroep"], "paar"]) == target
    c = outcome.contacts
    hits = set(c.loc[c["recht"] & ~c["gebruikt"], "paar"])
    assert set(pairs.loc[pairs["bereikt"], "paar"]) == hits
    assert hits <= target
    new = pairs["paar"][outcome.start[pairs["paar"]] < outcome.baseline_start[pairs["paar"]]]
    assert set(pairs.loc[pairs["nieuwe_aanvraag"], "paar"]) == set(new)


def test_claims_only_move_earlier_and_only_for_the_strategys_regelingen(run, prepared):
    outcome, _ = run
    assert (outcome.start <= outcome.baseline_start).all()
    outside = ~prepared.pairs["regeling"].isin(outcome.strategy.regelingen).to_numpy()
    assert (outcome.start[outside] == outcome.baseline_start[outside]).all()


def test_contact_rows_agree_with_the_ground_truth(run, prepared, truth):
    outcome, _ = run
    c = outcome.contacts.copy()
    c["m"] = month_index(c["maand"], prepared.months[0])
    # no (regeling, unit) is contacted twice in a run
    assert not c.duplicated(["regeling", "unit_id"]).any()
    # paar is the pair of (regeling, unit), or -1 for a unit never entitled to the regeling
    keys = prepared.pairs[["regeling", "unit_id"]].reset_index(names="paar_waar")
    c = c.merge(keys, on=["regeling", "unit_id"], how="left")
    assert (c["paar"] == c["paar_waar"].fillna(-1).astype(int)).all()
    # recht: entitled in the contact month; gebruikt: already claiming then
    on = ["regeling", "unit_id", "m"]
    c = c.merge(truth[on], on=on, how="left", indicator=True)
    assert (c["recht"] == (c["_merge"] == "both")).all()
    known = c["paar"] >= 0
    claiming = np.zeros(len(c), dtype=bool)
    claiming[known] = outcome.baseline_start[c.loc[known, "paar"]] <= c.loc[known, "m"]
    assert (c["gebruikt"] == (c["recht"] & claiming)).all()
    assert (c["kanaal"] == outcome.strategy.kanaal).all()


def test_every_response_is_a_new_claim_from_the_contact_month(run):
    outcome, (metrics, _, _) = run
    c = outcome.contacts
    responses = c[c["respons"]]
    assert (responses["recht"] & ~responses["gebruikt"]).all()
    months = month_index(responses["maand"], outcome.prepared.months[0])
    assert (outcome.start[responses["paar"]] == months).all()
    assert metrics["nieuwe_aanvragen"] == len(responses)
