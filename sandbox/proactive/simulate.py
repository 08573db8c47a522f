"""Run a strategy month by month over a prepared population and record what happened.

Each month: the triggers the registers show by then (events after their registration lag, a
signal turning true, or a periodic scan) select persons; the strategy reads its registers
(every read through the access policy, into the audit log), checks the regelingen on what the
registers show, decides whom to contact, and contacts them through its channel. A contacted
unit that is entitled and not yet claiming claims from that month with the channel's response
probability. Outcomes are scored against the ground truth in `sandbox.proactive.metrics`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from sandbox.errors import StrategyError
from sandbox.landscape import (
    EVENT_REGISTER,
    OBSERVED_PREFIX,
    AuditLog,
    Landscape,
    Policy,
    empty_audit,
    load_defects,
    load_landscape,
    load_policy,
    observe,
)
from sandbox.proactive.population import Prepared
from sandbox.proactive.reads import check_reads, planned_reads
from sandbox.proactive.strategy import Strategy
from sandbox.proactive.takeup import (
    Behaviour,
    claim_starts,
    load_behaviour,
    load_calibration,
    non_take_up_odds,
    uniforms,
)
from sandbox.proactive.triggers import apply_filter, triggered_persons
from sandbox.rules import evaluate

__all__ = [
    "Outcome",
    "simulate",
    "planned_reads",
    "check_reads",
    "drop_observed",
    "CONTACT_COLUMNS",
]

Progress = Callable[[str, int, int], None]
CONTACT_COLUMNS = (
    "maand", "regeling", "eenheid", "unit_id", "person_id", "kanaal", "kosten",
    "gebeurtenis_datum", "contact_datum", "dagen", "paar", "recht", "gebruikt", "respons",
)  # fmt: skip


@dataclass
class Outcome:
    """What a strategy did on one population, with the ground truth to score it against."""

    strategy: Strategy
    prepared: Prepared
    baseline_start: np.ndarray
    start: np.ndarray
    contacts: pd.DataFrame
    audit: pd.DataFrame
    audit_summary: dict
    mode: str


def simulate(
    prepared: Prepared,
    strategy: Strategy,
    *,
    mode: str = "strict",
    landscape: Landscape | None = None,
    policy: Policy | None = None,
    behaviour: Behaviour | None = None,
    progress: Progress | None = None,
    keep_observed: bool = False,
) -> Outcome:
    """Simulate ``strategy`` on ``prepared`` month by month.

    Args:
        prepared: the population's ground truth (`sandbox.proactive.prepare`).
        strategy: the strategy (`sandbox.proactive.load_strategy`).
        mode: ``strict`` stops at the first read without legal basis; ``audit`` records it
            as a violation and goes on.
        landscape: the register catalog (default: the packaged one).
        policy: the access policy (default: the packaged one).
        behaviour: the take-up assumptions (default: the packaged ones).
        progress: optional callback ``(step, done, total)``.
        keep_observed: keep the registers' view (``obs_*`` tables) in ``prepared.con``
            afterwards (for inspection); by default it is dropped to free memory.

    Returns:
        The outcome: claim starts with and without the strategy, contacts, audit log.

    Raises:
        StrategyError: an unknown regeling, register, event, channel or column, or a needed
            register missing from ``leest``.
        AccessDeniedError: strict mode and a read without legal basis (before any work).
    """
    report = progress or (lambda *a: None)
    landscape = landscape or load_landscape()
    policy = policy or load_policy(landscape=landscape)
    behaviour = behaviour or load_behaviour()
    model = None
    if strategy.beslissing.soort == "model" and not strategy.reactive:
        from sandbox.proactive.model import load_model  # scikit-learn: only when needed

        model = load_model(strategy.beslissing.model)
    reads = planned_reads(strategy, prepared.regelingen, landscape, model)
    channel = behaviour.channel(strategy.kanaal) if not strategy.reactive else None
    defects = load_defects(strategy.defecten, landscape=landscape)
    calibration = load_calibration()["regelingen"]
    missing = [r for r in strategy.regelingen if r not in calibration]
    if missing:
        raise StrategyError(
            f"no take-up calibration for {missing[0]}; run `sandbox takeup calibrate nl-default`"
        )
    intercepts = {r: float(c["intercept"]) for r, c in calibration.items()}
    pairs = prepared.pairs
    offsets = non_take_up_odds(pairs, behaviour)
    baseline = claim_starts(pairs, intercepts, offsets, behaviour, strategy.seed)
    start = baseline.copy()
    log = None
    if not strategy.reactive:
        log = AuditLog(policy, strategy.organisatie, strategy.doel, strategy.amvb, mode)
        if mode == "strict":
            check_reads(policy, strategy, reads)
    contacts = pd.DataFrame(columns=list(CONTACT_COLUMNS))
    if strategy.reactive:
        empty = {"reads": 0, "registers": [], "attributen": [], "violations": 0}
        return Outcome(strategy, prepared, baseline, start, contacts, empty_audit(), empty, mode)
    con = prepared.con
    months = prepared.months
    report("registers: wat de organisatie ziet", 0, len(months) + 2)
    lags = {r: defects.lag(landscape, r) for r, _ in EVENT_REGISTER.values()}
    if strategy.trigger.gebeurtenissen:
        # Events come from the event table: the registers' view is only needed for the
        # households of the persons triggered (the same rows as a full view, far fewer).
        triggered = triggered_persons(con, strategy, prepared, lags)
        observe(con, landscape, defects, months, strategy.seed, triggered["person_id"].unique())
    else:
        observe(con, landscape, defects, months, strategy.seed)
        triggered = triggered_persons(con, strategy, prepared, lags)
    triggered = apply_filter(con, strategy, triggered)
    if strategy.beslissing.soort == "regels":
        chosen = [prepared.regelingen[r] for r in strategy.regelingen]
        evaluate(con, chosen, months, table="rechten_obs", frame=OBSERVED_PREFIX, encoded_only=True)
    rows = []
    contacted: set[tuple[str, int]] = set()
    for m, month in enumerate(months):
        report(f"maand {month:%Y-%m}", m + 1, len(months) + 2)
        now = triggered[triggered["maand"] == pd.Timestamp(month)]
        if now.empty:
            continue  # nobody to look at: no read this month
        for register, attributes in reads.items():
            log.read(register, attributes, rows=len(now), month=month)
        month_rows = _decide(con, prepared, strategy, now, month, m, start, contacted, model)
        if month_rows.empty:
            continue
        p = month_rows["paar"].to_numpy()
        known = p >= 0
        entitled = np.zeros(len(p), dtype=bool)
        entitled[known] = prepared.entitled[p[known], m]
        missing_out = entitled & (start[np.where(known, p, 0)] > m)
        prob = np.full(len(p), channel.respons)
        if channel.digitaal:
            prob *= np.where(
                month_rows["digitale_vaardigheid"] == "laag", behaviour.digitaal_factor, 1.0
            )
        if channel.geschreven:
            prob *= np.where(month_rows["taalvaardigheid"] == "laag", behaviour.taal_factor, 1.0)
        draw = uniforms(
            strategy.seed,
            f"respons:{m}",
            month_rows["regeling"].to_numpy(),
            month_rows["unit_id"].to_numpy(),
        )
        respond = missing_out & (draw < prob)
        start[p[respond]] = m
        month_rows["recht"] = entitled
        month_rows["gebruikt"] = entitled & ~missing_out
        month_rows["respons"] = respond
        month_rows["kanaal"] = channel.naam
        month_rows["kosten"] = channel.kosten
        rows.append(month_rows)
    if rows:
        contacts = pd.concat(rows, ignore_index=True)
        contacts["dagen"] = (contacts["contact_datum"] - contacts["gebeurtenis_datum"]).dt.days
        contacts = contacts[list(CONTACT_COLUMNS) + ["digitale_vaardigheid", "taalvaardigheid"]]
    if not keep_observed:
        drop_observed(con)
    report("klaar", len(months) + 2, len(months) + 2)
    return Outcome(strategy, prepared, baseline, start, contacts, log.frame(), log.summary(), mode)


def drop_observed(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the registers' view and the estimated rights (at 1M persons: gigabytes)."""
    for table in ("rechten_obs", "obs_persoon", "obs_huishouden", "obs_rollen", "obs_ps",
                  "obs_adres", "_jaarinkomen"):  # fmt: skip
        con.execute(f"DROP TABLE IF EXISTS {table}")


def _decide(
    con: duckdb.DuckDBPyConnection,
    prepared: Prepared,
    strategy: Strategy,
    now: pd.DataFrame,
    month: dt.date,
    m: int,
    start: np.ndarray,
    contacted: set[tuple[str, int]],
    model,
) -> pd.DataFrame:
    """The contacts of one month: triggered persons → units per regeling → decision."""
    con.register("_now", now[["person_id", "gebeurtenis_datum", "contact_datum"]])
    units = con.execute(
        f"""
        SELECT n.person_id AS trigger_id, n.gebeurtenis_datum, n.contact_datum,
               o.person_id, o.household_id, h.aanvrager_id
        FROM _now n
        JOIN {OBSERVED_PREFIX}_persoon o ON o.person_id = n.person_id AND o.peildatum = ?
        LEFT JOIN {OBSERVED_PREFIX}_huishouden h
          ON h.household_id = o.household_id AND h.peildatum = o.peildatum
        ORDER BY n.gebeurtenis_datum, n.person_id
        """,
        [month],
    ).df()
    con.unregister("_now")
    parts = []
    for name in strategy.regelingen:
        reg = prepared.regelingen[name]
        if not any(d == month for d in prepared.evaluated.get(name, [])):
            continue
        if reg.eenheid == "persoon":
            u = units.assign(unit_id=units["person_id"], adres=units["person_id"])
        else:
            u = units.assign(
                unit_id=units["household_id"],
                adres=units["aanvrager_id"].fillna(units["person_id"]),
            )
        u = u.drop_duplicates("unit_id")
        u = u[[(name, int(x)) not in contacted for x in u["unit_id"]]]
        if u.empty:
            continue
        pair = prepared.pair_ids(name, u["unit_id"].to_numpy())
        keep = np.ones(len(u), dtype=bool)
        if strategy.beslissing.soort == "regels":
            con.register("_u", u[["unit_id"]])
            seen = con.execute(
                "SELECT DISTINCT unit_id FROM rechten_obs r SEMI JOIN _u USING (unit_id) "
                "WHERE r.regeling::VARCHAR = ? AND r.peildatum = ? AND r.recht",
                [name, month],
            ).fetchnumpy()["unit_id"]
            con.unregister("_u")
            keep &= np.isin(u["unit_id"].to_numpy(), seen)
        elif strategy.beslissing.soort == "model":
            scores = model.score(con, reg, u["unit_id"].to_numpy(), month)
            keep &= scores >= strategy.beslissing.drempel
        if strategy.beslissing.bestaande_gebruikers_uitsluiten:
            known = pair >= 0
            claiming = np.zeros(len(u), dtype=bool)
            claiming[known] = (start[pair[known]] <= m) & prepared.entitled[pair[known], m]
            keep &= ~claiming
        u, pair = u[keep], pair[keep]
        if u.empty:
            continue
        contacted.update((name, int(x)) for x in u["unit_id"])
        parts.append(pd.DataFrame({
            "maand": pd.Timestamp(month), "regeling": name, "eenheid": reg.eenheid,
            "unit_id": u["unit_id"].to_numpy(), "person_id": u["adres"].to_numpy(),
            "gebeurtenis_datum": u["gebeurtenis_datum"].to_numpy(),
            "contact_datum": u["contact_datum"].to_numpy(), "paar": pair,
        }))  # fmt: skip
    if not parts:
        return pd.DataFrame()
    out = pd.concat(parts, ignore_index=True)
    skills = con.execute(
        "SELECT person_id, digitale_vaardigheid, taalvaardigheid FROM persons "
        "WHERE person_id IN (SELECT unnest(?::BIGINT[]))",
        [out["person_id"].astype("int64").tolist()],
    ).df()
    return out.merge(skills, on="person_id", how="left")
