"""Compare a population dataset with the CBS figures it was calibrated to.

Shares are measured on the population at the start of the period and must lie within two
percentage points of CBS; event rates are measured per 1,000 person-years over the period and
must lie within 15% of CBS. Rates without a CBS figure are reported without a verdict.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sandbox.world.calibration import load_calibration
from sandbox.world.events import EVENT_TYPES
from sandbox.world.households import HOUSEHOLD_TYPES, POSITIONS, ROLLEN, position_codes

__all__ = [
    "CheckRow",
    "check_population",
    "RATE_TOLERANCE",
    "SHARE_TOLERANCE",
    "SMALL_POPULATION",
]

SHARE_TOLERANCE = 0.02  # absolute, two percentage points
# Below this many persons, sampling noise in event rates is of the order of the tolerance.
SMALL_POPULATION = 100_000
RATE_TOLERANCE = 0.15  # relative


_TYPE_CODE = {name: code for code, name in enumerate(HOUSEHOLD_TYPES)}
_ROL_CODE = {name: code for code, name in enumerate(ROLLEN)}


@dataclass(frozen=True)
class CheckRow:
    """One line of the check: a statistic, the CBS figure, the dataset's, and the verdict."""

    groep: str
    statistiek: str
    cbs: float | None
    dataset: float
    eenheid: str  # "aandeel", "per 1000 per jaar" or "personen"

    @property
    def verschil(self) -> float | None:
        """Dataset minus CBS (None without a CBS figure)."""
        return None if self.cbs is None else self.dataset - self.cbs

    @property
    def ok(self) -> bool | None:
        """Within tolerance; None when there is no CBS figure to compare with."""
        if self.cbs is None:
            return None
        if self.eenheid == "aandeel":
            return abs(self.dataset - self.cbs) <= SHARE_TOLERANCE
        return abs(self.dataset - self.cbs) <= RATE_TOLERANCE * self.cbs


def _start_population(persons: pd.DataFrame, households: pd.DataFrame, start: pd.Timestamp):
    people = persons[persons["geboortedatum"] < start]
    homes = households[households["ontstaan"].isna()]
    return people, homes


def check_population(
    persons: pd.DataFrame, households: pd.DataFrame, events: pd.DataFrame, period: dict
) -> list[CheckRow]:
    """Measure the dataset against CBS.

    Args:
        persons: the persons table.
        households: the households table.
        events: the events table.
        period: the manifest's period (``van``, ``tot`` as YYYY-MM).

    Returns:
        One row per statistic, in display order.
    """
    cal = load_calibration()
    start = pd.Timestamp(period["van"] + "-01")
    end = pd.Timestamp(period["tot"] + "-01") + pd.offsets.MonthBegin(1)
    people, homes = _start_population(persons, households, start)
    rows: list[CheckRow] = [
        CheckRow("bevolking", "personen bij de start", None, len(people), "personen")
    ]
    age = (start - people["geboortedatum"]).dt.days.to_numpy() / 365.2425

    bands = {
        "0-19": (0, 20),
        "20-64": (20, 65),
        "65-79": (65, 80),
        "80+": (80, 200),
        "15-74": (15, 75),
    }
    for name, (lo, hi) in bands.items():
        share = float(((age >= lo) & (age < hi)).mean())
        rows.append(CheckRow("leeftijd", name, cal.value("leeftijd", name), share, "aandeel"))

    # Persons by household position (CBS 37620).
    size = homes.set_index("household_id")["huishoudtype"]
    # A person whose household is not in the start snapshot counts as "overig" (never NA).
    htype = size.reindex(people["household_id"]).map(_TYPE_CODE).fillna(-1).to_numpy(int)
    rol = people["rol"].map(_ROL_CODE).fillna(-1).to_numpy(int)
    position = np.asarray(POSITIONS)[position_codes(htype, rol)]
    for name, cbs in cal.shares("huishoudpositie").items():
        rows.append(
            CheckRow("huishoudpositie", name, cbs, float((position == name).mean()), "aandeel")
        )

    # Households by type, families by number of children at home.
    pos = cal["huishoudpositie"]
    counts = {
        "alleenstaand": pos["alleenwonend"].waarde,
        "paar": pos["partner_zonder_kinderen"].waarde / 2,
        "paar_kinderen": pos["partner_met_kinderen"].waarde / 2,
        "eenouder": pos["ouder_eenoudergezin"].waarde,
    }
    total = sum(counts.values())
    typed = homes[homes["huishoudtype"] != "overig"]["huishoudtype"]
    for name, count in counts.items():
        rows.append(
            CheckRow("huishoudtype", name, count / total, float((typed == name).mean()), "aandeel")
        )
    kids = people[people["rol"] == "kind"].groupby("household_id").size()
    for name, cbs in cal.shares("kinderen_per_gezin").items():
        got = (kids >= 3).mean() if name == "3+" else (kids == int(name)).mean()
        rows.append(CheckRow("kinderen per gezin", name, cbs, float(got), "aandeel"))

    # Tenure among households with a dwelling of their own (CBS 82900NED).
    own = homes[homes["woonsituatie"] != "inwonend"]["woonsituatie"]
    for name, cbs in cal.shares("woningvoorraad").items():
        rows.append(CheckRow("woonsituatie", name, cbs, float((own == name).mean()), "aandeel"))

    rows.extend(_work_rows(people, age, cal))
    rows.extend(_event_rows(persons, events, start, end, cal))
    return rows


def _work_rows(people: pd.DataFrame, age: np.ndarray, cal) -> list[CheckRow]:
    status = people["arbeidsstatus"].to_numpy()
    a = cal["arbeid"]
    total = cal.value("bevolking", "totaal_2025")
    in_1574 = (age >= 15) & (age < 75)
    working = np.isin(status, ["werkend", "zzp"]) | people["bijbaan"].to_numpy()
    aow_age = cal.value("arbeid", "aow_leeftijd")
    resident_aow = a["aow_ontvangers_totaal"].waarde - a["aow_ontvangers_buitenland"].waarde
    return [
        CheckRow(
            "arbeid",
            "werkzaam (15-74 jaar)",
            a["werkzaam_15_74"].waarde / a["bevolking_15_74"].waarde,
            float(working[in_1574].mean()),
            "aandeel",
        ),
        CheckRow(
            "arbeid",
            "werkloos (15-74 jaar)",
            a["werkloos"].waarde / a["bevolking_15_74"].waarde,
            float((status[in_1574] == "werkloos").mean()),
            "aandeel",
        ),
        CheckRow(
            "arbeid", "zzp", a["zzp"].waarde / total, float((status == "zzp").mean()), "aandeel"
        ),
        CheckRow(
            "arbeid",
            "arbeidsongeschikt",
            a["arbeidsongeschikt"].waarde / total,
            float((status == "arbeidsongeschikt").mean()),
            "aandeel",
        ),
        CheckRow(
            "arbeid",
            "bijstand",
            a["bijstand"].waarde / total,
            float((status == "bijstand").mean()),
            "aandeel",
        ),
        CheckRow(
            "arbeid",
            "AOW-ontvangers in Nederland",
            resident_aow / total,
            float((age >= aow_age).mean()),
            "aandeel",
        ),
        CheckRow(
            "herkomst",
            "geboren in het buitenland",
            cal.value("herkomst", "geboren_buitenland"),
            float(people["geboren_buitenland"].mean()),
            "aandeel",
        ),
        CheckRow(
            "herkomst",
            "herkomst buiten Nederland",
            cal.value("herkomst", "geboren_buitenland") + cal.value("herkomst", "tweede_generatie"),
            float((people["herkomst"] != "NL").mean()),
            "aandeel",
        ),
    ]


def _event_rows(persons, events, start, end, cal) -> list[CheckRow]:
    born = persons["geboortedatum"].clip(lower=start)
    died = persons["overlijdensdatum"].fillna(end).clip(upper=end)
    person_years = float(((died - born).dt.days.clip(lower=0)).sum() / 365.2425)
    rates = cal["gebeurtenissen"]
    counts = events["soort"].value_counts()
    rows = []
    for soort in EVENT_TYPES:
        rate = counts.get(soort, 0) / person_years * 1000
        cbs = rates[soort].waarde if soort in rates else None
        rows.append(CheckRow("gebeurtenissen", soort, cbs, float(rate), "per 1000 per jaar"))
    moves = events[events["soort"] == "verhuizing"]
    if len(moves):
        rows.append(
            CheckRow(
                "gebeurtenissen",
                "verhuizingen tussen gemeenten",
                rates["verhuizing_tussen_gemeenten_aandeel"].waarde,
                float((~moves["binnen_gemeente"].astype(bool)).mean()),
                "aandeel",
            )
        )
    deaths = events[events["soort"] == "overlijden"].merge(
        persons[["person_id", "geboortedatum"]], on="person_id"
    )
    if len(deaths):
        age = (deaths["datum"] - deaths["geboortedatum"]).dt.days / 365.2425
        rows.append(
            CheckRow(
                "gebeurtenissen",
                "overledenen 80 jaar of ouder",
                rates["overlijden_aandeel_80plus"].waarde,
                float((age >= 80).mean()),
                "aandeel",
            )
        )
    return rows
