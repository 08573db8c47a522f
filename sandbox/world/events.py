"""Life events, month by month: births, deaths, moves, partnerships, separations and work.

The population lives through the period one calendar month at a time. Event rates with a CBS
figure are aligned to it every month (the expected count is the CBS rate times the people
alive), so the rates hold on any population, reference or synthetic. State stays consistent:
the dead do nothing, a birth adds a person with an identity and a BSN, a move changes the
address of everyone who moves, a separation or a child leaving home makes a new household
with its own address.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from sandbox.world.calibration import Calibration
from sandbox.world.households import (
    AANVRAGER,
    KIND,
    OVERIG_ROL,
    PARTNER,
    knots,
)
from sandbox.world.housing import INWONEND, SOCIAAL, VRIJ, WOONSITUATIES, rent_for
from sandbox.world.identity import first_names
from sandbox.world.persons import (
    AO,
    BIJSTAND,
    GEPENSIONEERD,
    STUDENT,
    WERKEND,
    WERKLOOS,
    ZZP,
    income_for_status,
)
from sandbox.world.persons import OVERIG as OVERIG_STATUS
from sandbox.world.state import (
    ADDRESS_COLUMNS,
    DAYS_PER_YEAR,
    EVENT_TYPES,
    STATUS_NAMES,
    EventLog,
    World,
)

__all__ = ["EVENT_TYPES", "World", "simulate_events"]


def _pick(rng: np.random.Generator, hazard: np.ndarray, expected: float | None) -> np.ndarray:
    """Return the rows that have the event this month.

    ``hazard`` is a relative monthly propensity per row; with ``expected`` it is scaled so the
    expected number of events equals ``expected`` (alignment to a CBS rate).
    """
    if expected is not None:
        total = hazard.sum()
        hazard = hazard * (expected / total) if total > 0 else hazard
    return np.flatnonzero(rng.random(len(hazard)) < np.minimum(hazard, 1.0))


def _days(rng: np.random.Generator, month_start: int, month_end: int, n: int) -> np.ndarray:
    return rng.integers(month_start, month_end, n)


class _Month:
    """The event rules applied to one month of one world."""

    def __init__(
        self,
        world: World,
        cal: Calibration,
        rng: np.random.Generator,
        log: EventLog,
        start: int,
        end: int,
    ) -> None:
        self.w, self.cal, self.rng, self.log = world, cal, rng, log
        self.start, self.end = start, end
        self.rate = {k: f.waarde for k, f in cal["gebeurtenissen"].items()}
        self.assume = {k: f.waarde for k, f in cal["aannames_gebeurtenissen"].items()}
        self.months = (end - start) / (DAYS_PER_YEAR / 12)
        self.n_alive = int(world.alive.sum())
        self.died = self.died_on = np.zeros(0, dtype=np.int64)  # deaths this month, and when
        # Per person, the day of their latest household change this month: later changes of
        # the same person this month happen on or after it, so replaying stays consistent.
        self.busy = np.full(len(world.hh), start, dtype=np.int64)
        self.touched: list[np.ndarray] = []  # households whose members changed this month
        self.moved = 0  # persons moved this month by events other than household moves
        self.between = 0  # of whom to another gemeente

    def per_month(self, per_1000: float) -> float:
        return per_1000 / 1000 * self.n_alive * self.months / 12

    # -- household bookkeeping -------------------------------------------------------------
    def members(self) -> tuple[np.ndarray, np.ndarray]:
        live = np.flatnonzero(self.w.alive)
        return live, self.w.hh[live]

    def hh_counts(self, mask: np.ndarray) -> np.ndarray:
        live, hh = self.members()
        return np.bincount(hh, weights=mask[live], minlength=len(self.w.hh_gemeente))

    def after(self, day: np.ndarray, *rows: np.ndarray) -> np.ndarray:
        """Shift event days so they fall on or after each person's latest change this month."""
        for r in rows:
            day = np.maximum(day, self.busy[r])
        return day

    def mark(self, day: np.ndarray, *rows: np.ndarray) -> None:
        """Record a household change of ``rows`` on ``day``."""
        w = self.w
        for r in rows:
            self.busy[r] = day
            self.touched.append(w.hh[r].copy())

    def heads(self) -> np.ndarray:
        """Per household id, the person row of its living aanvrager, or -1."""
        w = self.w
        live, _ = self.members()
        heads = np.full(len(w.hh_gemeente), -1, dtype=np.int64)
        sel = live[w.rol[live] == AANVRAGER]
        heads[w.hh[sel]] = sel
        return heads

    def destination(self, origin_rows: np.ndarray, share: float | None = None) -> np.ndarray:
        """Gemeente rows for people who move: the same gemeente or, at ``share``, another."""
        w, rng = self.w, self.rng
        if share is None:
            share = self.rate["verhuizing_tussen_gemeenten_aandeel"]
        weights = w.gemeenten["gewicht"].to_numpy()
        other = rng.choice(len(w.gemeenten), len(origin_rows), p=weights)
        # Redraw once where "another gemeente" drew the same one.
        same = other == origin_rows
        other[same] = rng.choice(len(w.gemeenten), int(same.sum()), p=weights)
        between = rng.random(len(origin_rows)) < share
        return np.where(between, other, origin_rows)

    def new_households(
        self,
        movers: np.ndarray,
        day: np.ndarray,
        soort: str,
        situatie: np.ndarray,
        **changes: np.ndarray,
    ) -> np.ndarray:
        """Give each mover a new one-person household with its own address; log both events."""
        w, rng = self.w, self.rng
        old = w.hh[movers]
        gem = self.destination(w.hh_gemeente[old])
        adr = w.new_addresses(rng, gem)
        huur, service = rent_for(rng, situatie, np.ones(len(movers)), self.cal)
        frame = pd.DataFrame(
            {
                "huishoudtype": "alleenstaand",
                **{c: adr[c] for c in ADDRESS_COLUMNS},
                "woonsituatie": _SITUATIE[situatie],
                "kale_huur": huur,
                "servicekosten": service,
                "woz_waarde": np.nan,
                "ontstaan": day.astype("datetime64[D]").astype("datetime64[ms]"),
                "ontstaan_door": pd.array([soort] * len(movers), dtype="string"),
            }
        )
        ids = w.add_households(frame, gem)
        self.mark(day, movers)
        self.log.add(soort, day, movers, old, nieuw_household_id=ids, rol="aanvrager", **changes)
        within = gem == w.hh_gemeente[old]
        self.between += int((~within).sum())
        self.log.add(
            "verhuizing",
            day,
            movers,
            old,
            nieuw_household_id=ids,
            binnen_gemeente=within,
            **{c: adr[c] for c in ADDRESS_COLUMNS},
        )
        w.hh[movers] = ids
        self.mark(day, movers)
        w.rol[movers] = AANVRAGER
        self.moved += len(movers)
        return ids

    def join(self, rows: np.ndarray, day: np.ndarray, dest: np.ndarray) -> None:
        """Move people into existing households and log the move to the current address."""
        w = self.w
        day = self.after(day, rows)
        self.mark(day, rows)
        within = w.hh_gemeente[dest] == w.hh_gemeente[w.hh[rows]]
        self.between += int((~within).sum())
        self.log.add(
            "verhuizing",
            day,
            rows,
            w.hh[rows],
            nieuw_household_id=dest,
            binnen_gemeente=within,
            **w.current_address(dest),
        )
        w.hh[rows] = dest
        self.mark(day, rows)
        self.moved += len(rows)

    # -- the events ----------------------------------------------------------------------
    def deaths(self) -> None:
        w = self.w
        live = np.flatnonzero(w.alive)
        age = w.age(self.start)[live]
        # Gompertz hazard doubling every ~6 years, men ~25% higher (assumption on the shape;
        # the level is aligned to the CBS count).
        hazard = np.exp(0.109 * (age - 80)) * np.where(w.man[live], 1.25, 1.0)
        rows = live[_pick(self.rng, hazard, self.per_month(self.rate["overlijden"]))]
        day = _days(self.rng, self.start, self.end, len(rows))
        self.log.add("overlijden", day, rows, w.hh[rows])
        w.alive[rows] = False
        self.died, self.died_on = rows, day
        self.succeed(w.hh[rows])

    def succeed(self, households: np.ndarray) -> None:
        """After deaths, give every household that lost its aanvrager a new one."""
        w = self.w
        if len(households) == 0:
            return
        orphan = np.unique(households[self.heads()[households] < 0])
        live, hh = self.members()
        cand = live[np.isin(hh, orphan)]
        if len(cand) == 0:
            return
        # The partner takes over; otherwise the oldest member.
        key = np.where(w.rol[cand] == PARTNER, -(10**9), 0) + w.birth[cand]
        cand = cand[np.lexsort((key, w.hh[cand]))]
        first = np.r_[True, w.hh[cand][1:] != w.hh[cand][:-1]]
        w.rol[cand[first]] = AANVRAGER

    def births(self) -> None:
        w, rng = self.w, self.rng
        live, _ = self.members()
        women = live[~w.man[live] & np.isin(w.rol[live], [AANVRAGER, PARTNER])]
        age = w.age(self.start)[women]
        has_partner = self.hh_counts(w.rol == PARTNER)[w.hh[women]] > 0
        # Fertility by age (assumption on the shape; the level is aligned to the CBS count).
        shape = {16: 0.0, 20: 0.1, 26: 0.6, 30: 1.0, 34: 1.0, 38: 0.45, 42: 0.1, 46: 0.0}
        hazard = knots(age, shape) * np.where(has_partner, 1.0, 0.15)
        mothers = women[_pick(rng, hazard, self.per_month(self.rate["geboorte"]))]
        if len(mothers) == 0:
            return
        day = _days(rng, self.start, self.end, len(mothers))
        man = rng.random(len(mothers)) < 0.512  # sex ratio at birth (assumption)
        hh_ids = w.hh[mothers]
        head = self.heads()[hh_ids]  # children carry the aanvrager's surname
        n = len(mothers)
        frame = pd.DataFrame(
            {
                "household_id": hh_ids,
                "bsn": w.bsn.take(n),
                "voornaam": first_names(rng, np.where(man, "M", "V")),
                "tussenvoegsel": w.carry["tussenvoegsel"][head],
                "achternaam": w.carry["achternaam"][head],
                "geboortedatum": day.astype("datetime64[D]"),
                "geslacht": np.where(man, "M", "V"),
                "rol": "kind",
                "herkomst": w.carry["herkomst"][mothers],
                "geboren_buitenland": False,
                "arbeidsstatus": "overig",
                "bijbaan": False,
                "inkomen": 0.0,
                "vermogen": 0.0,
                "zorgverzekerd": True,
                "aow_opbouwjaren": np.full(n, 50, np.int16),
                "digitale_vaardigheid": None,
                "taalvaardigheid": None,
            }
        )
        rows = w.add_persons(frame)
        self.busy = np.concatenate([self.busy, day])
        self.mark(day, mothers, rows)
        self.log.add("geboorte", day, rows, hh_ids)

    def birthdays(self) -> None:
        """Turning 18 and reaching AOW age, on the birthday in this month."""
        w = self.w
        this_month = int(np.datetime64(int(self.start), "D").astype("datetime64[M]").astype(int))
        aow_age = self.cal.value("arbeid", "aow_leeftijd")
        for soort, years in (("achttien_jaar", 18), ("aow_leeftijd", aow_age)):
            hit = w.alive & (w.birth_month + int(round(years * 12)) == this_month)
            rows = np.flatnonzero(hit)
            day = np.minimum(self.start + w.birth_dom[rows], self.end - 1)  # 29 Feb → 28 Feb
            if soort == "aow_leeftijd":
                self.retire(rows, day)
            else:
                self.come_of_age(rows, day)

    def come_of_age(self, rows: np.ndarray, day: np.ndarray) -> None:
        """At 18 a pupil goes on studying, starts work or looks for it (assumption: 70/25/5)."""
        w, rng = self.w, self.rng
        choice = rng.choice([STUDENT, WERKEND, WERKLOOS], len(rows), p=[0.7, 0.25, 0.05])
        status = np.where(w.status[rows] == OVERIG_STATUS, choice, w.status[rows])
        inc = self.income(rows, status, bijbaan=rng.random(len(rows)) < 0.65)
        self.status_change("achttien_jaar", rows, status, inc, day)

    def retire(self, rows: np.ndarray, day: np.ndarray) -> None:
        """At AOW age: gepensioneerd, with AOW by build-up and household, plus a pension."""
        self.status_change(
            "aow_leeftijd", rows, GEPENSIONEERD, self.income(rows, GEPENSIONEERD), day
        )

    def separations(self) -> None:
        w, rng = self.w, self.rng
        live, _ = self.members()
        partners = live[w.rol[live] == PARTNER]
        head = self.heads()[w.hh[partners]]
        partners, head = partners[head >= 0], head[head >= 0]
        hazard = knots(w.age(self.start)[head], {18: 1.6, 35: 1.3, 50: 0.8, 65: 0.3, 80: 0.1})
        pick = _pick(rng, hazard, self.per_month(self.rate["scheiding"]) / 2)
        if len(pick) == 0:
            return
        a, b = head[pick], partners[pick]
        day = self.after(_days(rng, self.start, self.end, len(pick)), a, b)
        self.mark(day, a, b)
        leaver_is_b = rng.random(len(pick)) < 0.5
        leaver, stayer = np.where(leaver_is_b, b, a), np.where(leaver_is_b, a, b)
        self.log.add("scheiding", day, stayer, w.hh[stayer], partner_id=leaver, rol="aanvrager")
        w.rol[stayer] = AANVRAGER  # children stay with the partner who keeps the home
        # Assumption: who leaves rents socially (60%), privately (30%) or lives in (10%).
        situatie = rng.choice([SOCIAAL, VRIJ, INWONEND], len(pick), p=[0.6, 0.3, 0.1])
        self.new_households(leaver, day, "scheiding", situatie, partner_id=stayer)

    def partnerships(self) -> None:
        w, rng = self.w, self.rng
        live, _ = self.members()
        partner_in = self.hh_counts(w.rol == PARTNER)
        others = self.hh_counts(w.rol == OVERIG_ROL)
        heads = live[w.rol[live] == AANVRAGER]
        age = w.age(self.start)[heads]
        free = (partner_in[w.hh[heads]] == 0) & (others[w.hh[heads]] == 0)
        free &= (age >= 20) & (age < 80)
        heads, age = heads[free], age[free]
        hazard = knots(age, {20: 0.8, 28: 1.5, 35: 1.0, 50: 0.5, 65: 0.2, 80: 0.05})
        men, women = heads[w.man[heads]], heads[~w.man[heads]]
        n_pairs = min(
            rng.poisson(self.per_month(self.rate["partnerschap"]) / 2), len(men), len(women)
        )
        if n_pairs == 0:
            return
        hm, hw = hazard[w.man[heads]], hazard[~w.man[heads]]
        m = rng.choice(men, n_pairs, replace=False, p=hm / hm.sum())
        f = rng.choice(women, n_pairs, replace=False, p=hw / hw.sum())
        # Pair by age with some noise: partners' ages correlate (assortative matching).
        m = m[np.argsort(w.birth[m] + rng.normal(0, 1500, n_pairs))]
        f = f[np.argsort(w.birth[f] + rng.normal(0, 1500, n_pairs))]
        day = self.after(_days(rng, self.start, self.end, n_pairs), m, f)
        kids = self.hh_counts(w.rol == KIND)
        # Whoever has no children at home moves in with the other; otherwise a coin decides.
        km, kf = kids[w.hh[m]], kids[w.hh[f]]
        m_moves = np.where(km == kf, rng.random(n_pairs) < 0.5, km < kf)
        mover, host = np.where(m_moves, m, f), np.where(m_moves, f, m)
        old_hh, new_hh = w.hh[mover], w.hh[host]
        self.mark(day, host)
        self.log.add("partnerschap", day, host, new_hh, partner_id=mover)
        self.log.add(
            "partnerschap",
            day,
            mover,
            old_hh,
            partner_id=host,
            nieuw_household_id=new_hh,
            rol="partner",
        )
        # The mover's children come along, on the same day.
        live, hh = self.members()
        kid_rows = live[(w.rol[live] == KIND) & np.isin(hh, old_hh)]
        order = np.argsort(old_hh)
        pos = order[np.searchsorted(old_hh, w.hh[kid_rows], sorter=order)]
        self.join(
            np.concatenate([mover, kid_rows]),
            # A child born after the move day follows on its birthday.
            np.concatenate([day, np.maximum(day[pos], w.birth[kid_rows])]),
            np.concatenate([new_hh, new_hh[pos]]),
        )
        w.rol[mover] = PARTNER

    def leaving_home(self) -> None:
        w, rng = self.w, self.rng
        live, _ = self.members()
        kids = live[w.rol[live] == KIND]
        age = w.age(self.start)[kids]
        median = self.assume["uit_huis_mediane_leeftijd"]
        # Constant yearly hazard from 18 on, so that half have left by the median age.
        yearly = np.where(age >= 18, np.log(2) / max(median - 18, 0.5), 0.0)
        leave = kids[rng.random(len(kids)) < yearly * self.months / 12]
        if len(leave) == 0:
            return
        day = self.after(_days(rng, self.start, self.end, len(leave)), leave)
        room = (w.status[leave] == STUDENT) & (
            rng.random(len(leave)) < self.cal.value("wonen", "inwonend_studenten")
        )
        situatie = np.where(room, INWONEND, rng.choice([SOCIAAL, VRIJ], len(leave), p=[0.55, 0.45]))
        self.new_households(leave, day, "uit_huis", situatie)

    def household_moves(self) -> None:
        """Whole households move; aligned so all moves together meet the CBS count."""
        w, rng = self.w, self.rng
        heads = self.heads()
        # Households whose members changed this month do not move as a whole this month.
        if self.touched:
            heads[np.concatenate(self.touched)] = -1
        hh_ids = np.flatnonzero(heads >= 0)
        size = self.hh_counts(np.ones(len(w.hh), bool))[hh_ids]
        hazard = knots(
            w.age(self.start)[heads[hh_ids]],
            {18: 0.35, 25: 0.35, 32: 0.2, 40: 0.08, 60: 0.04, 80: 0.05},
        )
        needed = max(self.per_month(self.rate["verhuizing"]) - self.moved, 0.0)
        expected_households = needed * hazard.sum() / max((hazard * size).sum(), 1e-9)
        movers_hh = hh_ids[_pick(rng, hazard, expected_households)]
        if len(movers_hh) == 0:
            return
        day = _days(rng, self.start, self.end, len(movers_hh))
        # Align the share of moves to another gemeente, counting the moves already made.
        persons = (size[np.isin(hh_ids, movers_hh)]).sum()
        total = persons + self.moved
        share = self.rate["verhuizing_tussen_gemeenten_aandeel"]
        share = float(np.clip((share * total - self.between) / max(persons, 1), 0, 1))
        gem = self.destination(w.hh_gemeente[movers_hh], share)
        within = gem == w.hh_gemeente[movers_hh]
        adr = w.new_addresses(rng, gem)
        w.set_address(movers_hh, gem, adr)
        live, hh = self.members()
        # Everyone living there on the day moves: also who dies later this month, but not who
        # is born later this month (born at the new address).
        rows = np.concatenate([live[np.isin(hh, movers_hh)], self.died])
        rows = rows[np.isin(w.hh[rows], movers_hh)]
        pos = np.searchsorted(movers_hh, w.hh[rows])
        death = np.full(len(w.hh), self.end, dtype=np.int64)
        death[self.died] = self.died_on
        death = death[rows]
        there = (w.birth[rows] <= day[pos]) & (death > day[pos])
        rows, pos = rows[there], pos[there]
        self.log.add(
            "verhuizing",
            day[pos],
            rows,
            w.hh[rows],
            binnen_gemeente=within[pos],
            **{c: adr[c][pos] for c in ADDRESS_COLUMNS},
        )
        self.moved += len(rows)

    def work(self) -> None:
        w, rng = self.w, self.rng
        live = np.flatnonzero(w.alive)
        age = w.age(self.start)[live]
        f = self.months / 12
        a = self.assume
        st = w.status[live]
        u = rng.random(len(live))
        # Job loss: werkend and zzp become werkloos, at ~70% of the wage (WW art. 47).
        lose = live[np.isin(st, [WERKEND, ZZP]) & (u < a["baanverlies_per_jaar"] * f)]
        new = np.round(np.minimum(w.inkomen[lose], 75000) * 0.7, 0)
        self.status_change("baanverlies", lose, WERKLOOS, new)
        # Job start: werkloos, bijstand (CBS outflow) and older students find work.
        p_start = (
            np.select(
                [st == WERKLOOS, st == BIJSTAND, (st == STUDENT) & (age >= 21)],
                [
                    a["baan_start_per_jaar"],
                    a["bijstand_uitstroom_per_jaar"],
                    a["studie_afgerond_per_jaar"],
                ],
                0.0,
            )
            * f
        )
        start = live[u >= 1 - p_start]
        n = len(start)
        # About one in eight who start work do so as zzp'er (CBS: 1.2 mln zzp of 9.8 mln).
        status = np.where(rng.random(n) < 0.12, ZZP, WERKEND)
        self.status_change("baan_start", start, status, self.income(start, status))
        self.into_benefits(live, age, st, u, p_start)
        # Income change for people who keep their job.
        keep = live[np.isin(st, [WERKEND, ZZP]) & (u >= a["baanverlies_per_jaar"] * f)]
        change = keep[rng.random(len(keep)) < a["inkomenswijziging_per_jaar"] * f]
        new = np.round(w.inkomen[change] * np.exp(rng.normal(0.03, 0.18, len(change))), 0)
        self.status_change("inkomenswijziging", change, None, new)

    def into_benefits(
        self, live: np.ndarray, age: np.ndarray, st: np.ndarray, u: np.ndarray, taken: np.ndarray
    ) -> None:
        """Inflow into bijstand (aligned to CBS) and into arbeidsongeschiktheid (assumption)."""
        w, rng, a = self.w, self.rng, self.assume
        working_age = (age >= 18) & (age < self.cal.value("arbeid", "aow_leeftijd"))
        # Bijstand inflow comes mostly from people whose WW ran out (assumption: weight 4).
        free = (u < 1 - taken) & working_age  # not already starting work this month
        weight = np.select([st == WERKLOOS, st == OVERIG_STATUS], [4.0, 1.0], 0.0) * free
        rows = live[_pick(rng, weight, self.per_month(self.rate["bijstand_instroom"]))]
        self.status_change("inkomenswijziging", rows, BIJSTAND, self.income(rows, BIJSTAND))
        # Disability: workers who fall ill become arbeidsongeschikt (assumption, keeps the
        # stock stable as recipients reach AOW age).
        p_ao = a["arbeidsongeschikt_instroom_per_jaar"] * self.months / 12
        ill = live[np.isin(w.status[live], [WERKEND, ZZP]) & working_age & (age >= 25)]
        ill = ill[rng.random(len(ill)) < p_ao]
        self.status_change("baanverlies", ill, AO, self.income(ill, AO))

    def income(
        self, rows: np.ndarray, status: int | np.ndarray, bijbaan: np.ndarray | None = None
    ) -> np.ndarray:
        """A new yearly income for ``rows`` in ``status``.

        Drawn by :func:`sandbox.world.persons.income_for_status` from their age, sex,
        household and AOW build-up.
        """
        w, n = self.w, len(rows)
        samen = self.hh_counts(w.rol != KIND)[w.hh[rows]] > 1
        return income_for_status(
            self.rng,
            np.broadcast_to(np.asarray(status, dtype=np.int8), (n,)),
            w.age(self.start)[rows],
            w.man[rows],
            np.zeros(n, bool) if bijbaan is None else bijbaan,
            samen,
            w.carry["aow_opbouwjaren"][rows].astype(float),
            np.zeros(n),
        )

    def status_change(
        self,
        soort: str,
        rows: np.ndarray,
        status: int | np.ndarray | None,
        inkomen: np.ndarray,
        day: np.ndarray | None = None,
    ) -> None:
        """Set a new status (None: keep it) and income, and log the event.

        The event falls on ``day``, or on a random day of the month.
        """
        w = self.w
        if status is not None:
            w.status[rows] = status
        w.inkomen[rows] = inkomen
        if day is None:
            day = _days(self.rng, self.start, self.end, len(rows))
        self.log.add(
            soort,
            day,
            rows,
            w.hh[rows],
            arbeidsstatus=STATUS_NAMES[w.status[rows]],
            inkomen=inkomen,
        )


_SITUATIE = np.asarray(WOONSITUATIES, dtype=object)


def simulate_events(
    world: World,
    cal: Calibration,
    rng: np.random.Generator,
    months: list[tuple[int, int]],
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """Run the event model over the given months and return the events table.

    Args:
        world: the population at the start; it is updated in place.
        cal: the calibration figures.
        rng: the generator's random state.
        months: (first day, first day of next month) per month, as days since 1970-01-01.
        progress: called with (months done, months total) after each month.

    Returns:
        One row per person touched by an event, sorted by date.
    """
    log = EventLog()
    for i, (start, end) in enumerate(months):
        month = _Month(world, cal, rng, log, start, end)
        month.deaths()
        month.births()
        month.birthdays()
        month.separations()
        month.partnerships()
        month.leaving_home()
        month.household_moves()
        month.work()
        if progress is not None:
            progress(i + 1, len(months))
    return log.frame()
