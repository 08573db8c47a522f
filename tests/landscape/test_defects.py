"""What the registers show: registration lags and data-quality defects on top of the truth."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import duckdb
import pytest
import yaml

from sandbox.dataset import write_dataset
from sandbox.errors import LandscapeError
from sandbox.landscape import Landscape, load_defects, load_landscape, observe
from sandbox.landscape.defects import _DATA as DEFECTS_FILE
from sandbox.rules import build_frames, connect_dataset, month_starts
from sandbox.world import Population

FIRST, LAST = dt.date(2025, 1, 1), dt.date(2026, 12, 1)
ZERO = {
    "vertraging": {"brp": 0, "polis": 0, "belastingdienst": 0},
    "ontbrekend": [],
    "verouderd_adres": {"aandeel": 0.0},
    "verkeerde_samenstelling": {"aandeel": 0.0},
}
MISSING = {"register": "belastingdienst", "attribuut": "vermogen", "aandeel": 0.1}


@pytest.fixture(scope="module")
def land() -> Landscape:
    return load_landscape()


@pytest.fixture(scope="module")
def con(tmp_path_factory, small_population: Population) -> duckdb.DuckDBPyConnection:
    """nl-small with its true frames built, as `sandbox.proactive.prepare` leaves them.

    The `prepared` fixture lives in tests/proactive and is not visible here, so this builds
    the same connection (dataset store → views → `build_frames`) without the regelingen.
    """
    store = tmp_path_factory.mktemp("defecten")
    tables = {
        "households": small_population.households,
        "persons": small_population.persons,
        "events": small_population.events,
    }
    manifest = {"kind": "reference", "parent": None, "seed": 1, "period": {"van": "2025-01"}}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SANDBOX_DATASETS", str(store))
        write_dataset("defecten", tables, manifest)
        connection, _ = connect_dataset("defecten")
    build_frames(connection, month_starts(FIRST, LAST))
    return connection


def observed(con, land, overrides: dict, name: str) -> str:
    """Run `observe` and keep its frames as ``<name>_persoon`` / ``<name>_huishouden``."""
    observe(con, land, load_defects(overrides, landscape=land), month_starts(FIRST, LAST), 1)
    for frame in ("persoon", "huishouden"):
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name}_{frame} AS SELECT * FROM obs_{frame}")
    return name


@pytest.fixture(scope="module")
def zero(con, land) -> str:
    """The registers without defects and without lags."""
    return observed(con, land, ZERO, "nul")


@pytest.fixture(scope="module")
def default(con, land) -> str:
    """The packaged defects, with every household's move registered 3 months late."""
    return observed(con, land, {"verouderd_adres": {"aandeel": 1.0, "maanden": 3}}, "std")


def rows(con, sql: str) -> int:
    return con.execute(f"SELECT count(*) FROM ({sql})").fetchone()[0]


def one_line(call: Callable[[], object]) -> str:
    with pytest.raises(LandscapeError) as info:
        call()
    message = str(info.value)
    assert "\n" not in message
    return message


def test_the_packaged_defaults_load_as_written_in_the_file():
    raw = yaml.safe_load(DEFECTS_FILE.read_text(encoding="utf-8"))
    defects = load_defects(landscape=load_landscape())
    assert defects.verouderd_adres.aandeel == raw["verouderd_adres"]["aandeel"]
    assert defects.verouderd_adres.maanden == raw["verouderd_adres"]["maanden"]
    assert defects.verkeerde_samenstelling.maanden == raw["verkeerde_samenstelling"]["maanden"]
    pairs = [(o.register_id, o.attribuut, o.aandeel) for o in defects.ontbrekend]
    assert pairs == [(o["register"], o["attribuut"], o["aandeel"]) for o in raw["ontbrekend"]]


def test_an_override_merges_into_the_defaults(land):
    defaults = load_defects()
    defects = load_defects({"verouderd_adres": {"aandeel": 0.5}}, landscape=land)
    assert defects.verouderd_adres.aandeel == 0.5
    assert defects.verouderd_adres.maanden == defaults.verouderd_adres.maanden
    assert defects.verouderd_adres.bron == defaults.verouderd_adres.bron
    assert defects.ontbrekend == defaults.ontbrekend
    assert defects.verkeerde_samenstelling == defaults.verkeerde_samenstelling


def test_a_lag_override_replaces_the_registers_own_lag(land):
    assert load_defects().lag(land, "polis") == (1, False)
    assert load_defects({"vertraging": {"polis": 3}}).lag(land, "polis") == (3, False)
    assert load_defects().lag(land, "belastingdienst") == (6, True)


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"verouderd_adres": {"aandeel": 1.5}}, "defecten.verouderd_adres.aandeel"),
        ({"verouderde_adres": {"aandeel": 0.5}}, "verouderde_adres"),
        ({"verouderd_adres": {"aandel": 0.5}}, "verouderd_adres.aandel"),
        ({"ontbrekend": [MISSING | {"register": "belastingdiesnt"}]}, "'belastingdiesnt'"),
        ({"vertraging": {"polies": 2}}, "'polies'"),
        ({"ontbrekend": [MISSING | {"register": "brp", "attribuut": "adres"}]}, "brp.adres"),
    ],
    ids=["aandeel-1.5", "unknown-key", "unknown-nested-key", "ontbrekend-register",
         "vertraging-register", "not-a-person-attribute"],
)  # fmt: skip
def test_a_bad_defect_setting_is_one_line_naming_it(land, overrides, named):
    message = one_line(lambda: load_defects(overrides, landscape=land))
    assert named in message


def test_a_negative_lag_is_refused(land):
    message = one_line(lambda: load_defects({"vertraging": {"polis": -1}}, landscape=land))
    assert "defecten.vertraging.polis" in message


def test_an_unknown_register_names_the_defects_field(land):
    message = one_line(lambda: load_defects({"vertraging": {"polies": 2}}, landscape=land))
    assert "defecten.vertraging" in message


def test_without_defects_or_lags_the_registers_show_the_truth_but_last_years_income(
    con, land, zero
):
    # The toetsingsinkomen is known only after its year (belastingdienst: na_jaar), so even
    # with lag 0 every column holding it differs; all the others equal the truth.
    income = set(land.attribute_columns("belastingdienst", "toetsingsinkomen"))
    checked = {
        "persoon": {"gemeente_code", "arbeidsstatus", "inkomen_maand", "household_id"},
        "huishouden": {"gemeente_code", "aanvrager_inkomen_maand", "kinderen", "heeft_partner"},
    }
    for frame, key in (("persoon", "person_id"), ("huishouden", "household_id")):
        columns = [r[0] for r in con.execute(f"DESCRIBE frame_{frame}").fetchall()]
        assert columns == [r[0] for r in con.execute(f"DESCRIBE {zero}_{frame}").fetchall()]
        same = [c for c in columns if c not in income and c != "medebewoners"]
        assert checked[frame] <= set(same)
        select = ", ".join(same)
        assert rows(con, f"SELECT {select} FROM frame_{frame} EXCEPT "
                         f"SELECT {select} FROM {zero}_{frame}") == 0  # fmt: skip
        assert rows(con, f"SELECT {select} FROM {zero}_{frame} EXCEPT "
                         f"SELECT {select} FROM frame_{frame}") == 0  # fmt: skip
        assert rows(con, f"SELECT {key}, peildatum FROM {zero}_{frame}") == rows(
            con, f"SELECT {key}, peildatum FROM frame_{frame}"
        )
    # in 2026 the registers show the 2025 income, from January on (lag 0 after the year)
    assert rows(con, f"""
        SELECT * FROM {zero}_persoon o
        JOIN (SELECT DISTINCT person_id, inkomen FROM frame_persoon WHERE jaar = 2025) t
          USING (person_id)
        WHERE o.jaar = 2026 AND o.inkomen IS DISTINCT FROM t.inkomen
    """) == 0  # fmt: skip
    # in 2025 no earlier year is known: the income rate on the first day stands in
    assert rows(con, f"""
        SELECT * FROM {zero}_persoon o
        JOIN frame_persoon t ON t.person_id = o.person_id AND t.peildatum = DATE '{FIRST}'
        WHERE o.jaar = 2025 AND o.inkomen IS DISTINCT FROM round(t.inkomen_maand * 12, 2)
    """) == 0  # fmt: skip


def test_the_configured_share_of_persons_has_no_registered_income(con, default):
    share = next(o.aandeel for o in load_defects().ontbrekend if o.attribuut == "toetsingsinkomen")
    missing = con.execute(
        f"SELECT avg(missing::INTEGER) FROM (SELECT person_id, bool_or(inkomen IS NULL) AS missing "
        f"FROM {default}_persoon GROUP BY person_id)"
    ).fetchone()[0]
    assert abs(missing - share) <= 0.01
    # missing is a property of the person, not of a month
    assert rows(con, f"""
        SELECT person_id FROM {default}_persoon GROUP BY person_id
        HAVING bool_or(inkomen IS NULL) AND NOT bool_and(inkomen IS NULL)
    """) == 0  # fmt: skip


def test_the_income_of_2025_shows_from_july_2026(con, default):
    # belastingdienst: 6 months after the year; until then the stand-in of January 2025 holds
    compared = con.execute(f"""
        SELECT o.peildatum >= DATE '2026-07-01' AS bekend,
               count(*) AS n,
               count(*) FILTER (WHERE o.inkomen = t.inkomen) AS gelijk,
               count(*) FILTER (WHERE o.inkomen = s.inkomen) AS als_januari_2025
        FROM {default}_persoon o
        JOIN (SELECT DISTINCT person_id, inkomen FROM frame_persoon WHERE jaar = 2025) t
          USING (person_id)
        JOIN {default}_persoon s ON s.person_id = o.person_id AND s.peildatum = DATE '{FIRST}'
        WHERE o.jaar = 2026 AND o.inkomen IS NOT NULL AND t.inkomen IS NOT NULL
        GROUP BY ALL ORDER BY 1
    """).df().set_index("bekend")  # fmt: skip
    assert compared.loc[True, "gelijk"] == compared.loc[True, "n"] > 1000
    assert compared.loc[False, "als_januari_2025"] == compared.loc[False, "n"] > 1000


def test_the_monthly_wage_shows_one_month_late(con, default):
    compared = con.execute(f"""
        SELECT count(*) AS n,
               count(*) FILTER (WHERE o.inkomen_maand IS NOT DISTINCT FROM t.inkomen_maand)
        FROM {default}_persoon o
        JOIN frame_persoon t ON t.person_id = o.person_id
         AND t.peildatum = o.peildatum - INTERVAL 1 MONTH
    """).fetchone()  # fmt: skip
    assert compared[0] == compared[1] > 100_000
    changed = rows(con, """
        SELECT * FROM frame_persoon t JOIN frame_persoon v ON v.person_id = t.person_id
         AND v.peildatum = t.peildatum - INTERVAL 1 MONTH
        WHERE t.inkomen_maand <> v.inkomen_maand
    """)  # fmt: skip
    assert changed > 0, "the lag is only tested if some wages change"


def test_a_late_registered_move_shows_the_old_gemeente_for_three_months(con, default):
    moves = con.execute(f"""
        WITH t AS (
            SELECT household_id, peildatum, gemeente_code,
                   lag(gemeente_code) OVER (PARTITION BY household_id ORDER BY peildatum) AS oud
            FROM frame_huishouden
        ), moves AS (
            SELECT household_id, peildatum AS verhuisd, oud, gemeente_code AS nieuw
            FROM t WHERE oud <> gemeente_code
        ), single AS (
            SELECT * FROM moves WHERE household_id IN
                (SELECT household_id FROM moves GROUP BY ALL HAVING count(*) = 1)
        )
        SELECT s.household_id, s.oud, s.nieuw, o.gemeente_code AS gezien,
               date_sub('month', s.verhuisd, o.peildatum) AS na
        FROM single s JOIN {default}_huishouden o ON o.household_id = s.household_id
         AND o.peildatum >= s.verhuisd AND o.peildatum < s.verhuisd + INTERVAL 6 MONTH
    """).df()  # fmt: skip
    assert moves["household_id"].nunique() > 50
    early = moves[moves["na"] < 3]
    late = moves[moves["na"] >= 3]
    assert (early["gezien"] == early["oud"]).all() and len(early) > 0
    assert (late["gezien"] == late["nieuw"]).all() and len(late) > 0
    # in general: what the registers show in month m is the truth of month m - 3
    assert rows(con, f"""
        SELECT * FROM {default}_huishouden o JOIN frame_huishouden t
          ON t.household_id = o.household_id
         AND t.peildatum = greatest(o.peildatum - INTERVAL 3 MONTH, DATE '{FIRST}')
        WHERE o.gemeente_code IS DISTINCT FROM t.gemeente_code
    """) == 0  # fmt: skip
