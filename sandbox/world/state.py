"""The mutable state of a population during the event simulation, and the event log.

Rows are only ever appended: a person row is a ``person_id``, a household row a
``household_id``. The event log collects column blocks and turns them into the events table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sandbox.dataset import EVENT_TYPES
from sandbox.world.households import ROLLEN
from sandbox.world.identity import BsnAllocator, addresses
from sandbox.world.persons import STATUSES

__all__ = [
    "ADDRESS_COLUMNS",
    "DAYS_PER_YEAR",
    "EVENT_TYPES",
    "STATUS_NAMES",
    "EventLog",
    "World",
]

DAYS_PER_YEAR = 365.2425


ADDRESS_COLUMNS = ("gemeente_code", "straat", "huisnummer", "postcode", "woonplaats")


class World:
    """Mutable population state during the simulation; rows are only ever appended.

    Person arrays are indexed by person row (= ``person_id``), household arrays by household
    row (= ``household_id``). The frames that get written hold the state at the start of the
    period, or at birth or creation for rows added during it.
    """

    def __init__(
        self,
        persons: pd.DataFrame,
        households: pd.DataFrame,
        gemeenten: pd.DataFrame,
        bsn: BsnAllocator,
    ) -> None:
        self.persons, self.households, self.gemeenten, self.bsn = (
            persons,
            households,
            gemeenten,
            bsn,
        )
        p, h = persons, households
        self.hh = p["household_id"].to_numpy(np.int64).copy()
        self.alive = np.ones(len(p), dtype=bool)
        self.birth = p["geboortedatum"].to_numpy("datetime64[D]").astype(np.int64)
        self.birth_month, self.birth_dom = _month_and_day(self.birth)
        self.man = (p["geslacht"] == "M").to_numpy()
        self.rol = p["rol"].map(_ROL_CODE).to_numpy(np.int8)
        self.status = p["arbeidsstatus"].map(_STATUS_CODE).to_numpy(np.int8)
        self.inkomen = p["inkomen"].to_numpy(float).copy()
        self.carry = {c: p[c].to_numpy() for c in _CARRIED}
        code_to_row = {c: i for i, c in enumerate(gemeenten["gemeente_code"])}
        self.hh_gemeente = h["gemeente_code"].map(code_to_row).to_numpy(np.int64)
        self.addr = {c: h[c].to_numpy() for c in ADDRESS_COLUMNS}
        # Every address ever handed out; a new household never gets one of them.
        self.used_addresses = set(_address_keys(self.addr))
        self.new_persons: list[pd.DataFrame] = []
        self.new_households: list[pd.DataFrame] = []

    def age(self, day: int) -> np.ndarray:
        """Age in years of every person row on ``day`` (days since 1970-01-01)."""
        return (day - self.birth) / DAYS_PER_YEAR

    def add_persons(self, frame: pd.DataFrame) -> np.ndarray:
        """Append persons born in the period (a frame of person columns); return their ids."""
        ids = np.arange(len(self.hh), len(self.hh) + len(frame))
        frame.insert(0, "person_id", ids)
        n = len(frame)
        self.hh = np.concatenate([self.hh, frame["household_id"].to_numpy(np.int64)])
        self.alive = np.concatenate([self.alive, np.ones(n, bool)])
        self.birth = np.concatenate(
            [self.birth, frame["geboortedatum"].to_numpy("datetime64[D]").astype(np.int64)]
        )
        month, dom = _month_and_day(self.birth[-n:])
        self.birth_month = np.concatenate([self.birth_month, month])
        self.birth_dom = np.concatenate([self.birth_dom, dom])
        self.man = np.concatenate([self.man, (frame["geslacht"] == "M").to_numpy()])
        self.rol = np.concatenate([self.rol, frame["rol"].map(_ROL_CODE).to_numpy(np.int8)])
        self.status = np.concatenate(
            [self.status, frame["arbeidsstatus"].map(_STATUS_CODE).to_numpy(np.int8)]
        )
        self.inkomen = np.concatenate([self.inkomen, frame["inkomen"].to_numpy(float)])
        for c in _CARRIED:
            self.carry[c] = np.concatenate([self.carry[c], frame[c].to_numpy()])
        self.new_persons.append(frame)
        return ids

    def add_households(self, frame: pd.DataFrame, gemeente_rows: np.ndarray) -> np.ndarray:
        """Append households created in the period; return their ids."""
        ids = np.arange(len(self.hh_gemeente), len(self.hh_gemeente) + len(frame))
        frame.insert(0, "household_id", ids)
        self.hh_gemeente = np.concatenate([self.hh_gemeente, gemeente_rows])
        for c in ADDRESS_COLUMNS:
            self.addr[c] = np.concatenate([self.addr[c], frame[c].to_numpy()])
        self.new_households.append(frame)
        return ids

    def new_addresses(self, rng: np.random.Generator, gemeente_rows: np.ndarray) -> dict:
        """Fresh addresses in the given gemeenten, never one that was used before."""
        names = self.gemeenten["gemeente_naam"].to_numpy(object)[gemeente_rows]
        adr = addresses(rng, names)
        adr["gemeente_code"] = self.gemeenten["gemeente_code"].to_numpy(object)[gemeente_rows]
        # Collisions with earlier addresses are rare: move those up the street one by one.
        for i, key in enumerate(_address_keys(adr)):
            while key in self.used_addresses:
                adr["huisnummer"][i] += 1
                key = (adr["straat"][i], int(adr["huisnummer"][i]), adr["woonplaats"][i])
            self.used_addresses.add(key)
        return adr

    def set_address(
        self, households: np.ndarray, gemeente_rows: np.ndarray, address: dict[str, np.ndarray]
    ) -> None:
        """Move households to a new address."""
        self.hh_gemeente[households] = gemeente_rows
        for c in ADDRESS_COLUMNS:
            self.addr[c][households] = address[c]

    def current_address(self, households: np.ndarray) -> dict[str, np.ndarray]:
        """The current address columns of the given households."""
        return {c: self.addr[c][households] for c in ADDRESS_COLUMNS}

    def frames(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Return the persons and households tables, including rows added in the period."""
        persons = pd.concat([self.persons, *self.new_persons], ignore_index=True)
        households = pd.concat([self.households, *self.new_households], ignore_index=True)
        return persons, households


_ROL_CODE = {name: code for code, name in enumerate(ROLLEN)}
# Person columns a newborn takes from its mother or that events read.
_CARRIED = ("tussenvoegsel", "achternaam", "herkomst", "aow_opbouwjaren")
_STATUS_CODE = {name: code for code, name in enumerate(STATUSES)}
STATUS_NAMES = np.asarray(STATUSES, dtype=object)


def _address_keys(adr: dict) -> list[tuple[str, int, str]]:
    return list(
        zip(
            adr["straat"].tolist(),
            adr["huisnummer"].tolist(),
            adr["woonplaats"].tolist(),
            strict=True,
        )
    )


def _month_and_day(days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Months since 1970-01 and day of the month (0-based) of dates given as day numbers."""
    dates = days.astype("datetime64[D]")
    month = dates.astype("datetime64[M]")
    return month.astype(np.int64), (dates - month.astype("datetime64[D]")).astype(np.int64)


class EventLog:
    """Collects event rows as column arrays, one block per event kind and month."""

    def __init__(self) -> None:
        self.blocks: list[dict[str, np.ndarray]] = []

    def add(
        self, soort: str, day: np.ndarray, person: np.ndarray, hh: np.ndarray, **changes: np.ndarray
    ) -> None:
        """Log one event kind for ``person`` rows; ``changes`` are the event's new values."""
        if len(person) == 0:
            return
        block = {
            "datum": day.astype(np.int64),
            "soort": np.full(len(person), soort, object),
            "person_id": person.astype(np.int64),
            "household_id": hh.astype(np.int64),
        }
        block.update({k: np.broadcast_to(v, (len(person),)) for k, v in changes.items()})
        self.blocks.append(block)

    def frame(self) -> pd.DataFrame:
        """The events table: typed columns, sorted by date, then in the order they happened."""
        columns = [
            "datum",
            "soort",
            "person_id",
            "household_id",
            "nieuw_household_id",
            "partner_id",
            "binnen_gemeente",
            "gemeente_code",
            "straat",
            "huisnummer",
            "postcode",
            "woonplaats",
            "rol",
            "arbeidsstatus",
            "inkomen",
        ]
        # Events of one day keep the order in which they happened (the order of the blocks).
        frames = [pd.DataFrame(b).assign(_seq=i) for i, b in enumerate(self.blocks)]
        out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
        for c in columns:
            if c not in out:
                out[c] = None
        seq = out["_seq"].to_numpy() if "_seq" in out else np.zeros(len(out), int)
        out = out[columns]
        order = np.lexsort((out["person_id"].to_numpy(), seq, out["datum"].to_numpy()))
        out = out.iloc[order].reset_index(drop=True)
        out["datum"] = out["datum"].to_numpy().astype("datetime64[D]").astype("datetime64[ms]")
        for c in ("nieuw_household_id", "partner_id", "huisnummer"):
            out[c] = out[c].astype("Int64")
        out["inkomen"] = out["inkomen"].astype("Float64")
        out["binnen_gemeente"] = out["binnen_gemeente"].astype("boolean")
        for c in ("gemeente_code", "straat", "postcode", "woonplaats", "rol", "arbeidsstatus"):
            out[c] = out[c].astype("string")
        out.insert(0, "event_id", np.arange(len(out), dtype=np.int64))
        return out
