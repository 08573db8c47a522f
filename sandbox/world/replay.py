"""Replay the events table: who lives in which household, and where, on a given day.

A dataset stores the state at the start of the period (or at birth or creation) plus the
events; these functions give the state on any later day, the way a register would see it.
"""

from __future__ import annotations

import pandas as pd

from sandbox.world.state import ADDRESS_COLUMNS

__all__ = ["alive_on", "households_on", "addresses_on"]


def alive_on(persons: pd.DataFrame, day: str | pd.Timestamp) -> pd.Series:
    """Boolean per person row: born on or before ``day`` and not dead by then."""
    day = pd.Timestamp(day)
    died = persons["overlijdensdatum"]
    return (persons["geboortedatum"] <= day) & (died.isna() | (died > day))


def households_on(
    persons: pd.DataFrame, events: pd.DataFrame, day: str | pd.Timestamp
) -> pd.Series:
    """The household of every person alive on ``day``, indexed by ``person_id``.

    Args:
        persons: the persons table.
        events: the events table.
        day: the day to look at (events on that day count).

    Returns:
        ``household_id`` per living ``person_id``.
    """
    day = pd.Timestamp(day)
    living = persons.loc[alive_on(persons, day), ["person_id", "household_id"]]
    current = living.set_index("person_id")["household_id"]
    moves = events[events["nieuw_household_id"].notna() & (events["datum"] <= day)]
    last = moves.groupby("person_id")["nieuw_household_id"].last()
    last = last[last.index.isin(current.index)]
    current.loc[last.index] = last.astype("int64").to_numpy()
    return current


def addresses_on(
    households: pd.DataFrame, events: pd.DataFrame, day: str | pd.Timestamp
) -> pd.DataFrame:
    """The address of every household that exists on ``day``, indexed by ``household_id``."""
    day = pd.Timestamp(day)
    exists = households["ontstaan"].isna() | (households["ontstaan"] <= day)
    current = households.loc[exists].set_index("household_id")[list(ADDRESS_COLUMNS)].copy()
    moves = events[
        (events["soort"] == "verhuizing")
        & events["nieuw_household_id"].isna()
        & (events["datum"] <= day)
    ]
    last = moves.groupby("household_id")[list(ADDRESS_COLUMNS)].last()
    last = last[last.index.isin(current.index)]
    for col in ADDRESS_COLUMNS:
        current.loc[last.index, col] = last[col].astype(current[col].dtype)
    return current
