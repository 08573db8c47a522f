"""Tests for `sandbox run`, `sandbox runs compare`, `sandbox strategies` and `sandbox takeup`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import mlflow
import pytest
from cli_helpers import invoke
from click.testing import Result

from sandbox.dataset import write_dataset
from sandbox.proactive import list_strategies
from sandbox.tracking import tracking_uri
from sandbox.world import Population

# MLflow's own SQLAlchemy models use a deprecated loader; sandbox.tracking silences it around its
# calls, and the tests' direct MlflowClient calls need the same (it is not ours to fix).
pytestmark = pytest.mark.filterwarnings("ignore:.*noload.*")

CALIBRATION = Path(__file__).resolve().parents[2] / "sandbox/proactive/data/kalibratie.yaml"
SHORT = "2025-01..2025-06"  # half a year is enough where only a setting is checked
EXAMPLES = ("achttien-zorgtoeslag", "aow-aio", "baanverlies-toeslagen", "geboorte-kind",
            "reactief")  # fmt: skip


@pytest.fixture(scope="module", autouse=True)
def env(tmp_path_factory: pytest.TempPathFactory, small_population: Population) -> Iterator[Path]:
    """A dataset store holding nl-small as 'klein', and a sandbox home for MLflow."""
    root = tmp_path_factory.mktemp("proactief-cli")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SANDBOX_DATASETS", str(root / "datasets"))
        mp.setenv("SANDBOX_HOME", str(root / "home"))
        mp.delenv("MLFLOW_TRACKING_URI", raising=False)
        tables = {
            "households": small_population.households,
            "persons": small_population.persons,
            "events": small_population.events,
        }
        manifest = {"kind": "reference", "parent": None, "seed": 1,
                    "period": {"van": "2025-01", "tot": "2026-12"}}  # fmt: skip
        write_dataset("klein", tables, manifest)
        yield root


def _run_id(result: Result) -> str:
    found = re.search(r"MLflow-run ([0-9a-f]{32}) in experiment 'proactief'", result.output)
    assert found, result.output
    return found.group(1)


def _run(result: Result):
    return mlflow.MlflowClient(tracking_uri=tracking_uri()).get_run(_run_id(result))


def _cell(result: Result, metric: str) -> str:
    """The value column of ``metric`` in the printed metric table."""
    found = re.search(rf"│ {metric}\s+│\s+(\S+)\s+│", result.output)
    assert found, result.output
    return found.group(1)


def _one_line_error(result: Result, *needles: str) -> str:
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert lines[0].startswith("fout: "), lines[0]
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


@pytest.fixture(scope="module")
def achttien() -> Result:
    """`sandbox run achttien-zorgtoeslag --dataset klein`, once."""
    return invoke("run", "achttien-zorgtoeslag", "--dataset", "klein")


def test_run_prints_the_metric_table_and_the_mlflow_run(achttien):
    assert achttien.exit_code == 0, achttien.output
    out = achttien.output
    assert "18 jaar → zorgtoeslag (Dienst Toeslagen)" in out  # the title (wrapped to the table)
    for metric in ("bereik", "precisie", "euro_per_jaar", "contacten", "grondslag_schendingen"):
        assert f"│ {metric} " in out, metric
    run = _run(achttien)
    assert run.info.status == "FINISHED"
    assert run.data.params["strategie.kanaal"] == "brief"
    assert _cell(achttien, "contacten") == f"{run.data.metrics['contacten']:,.0f}"
    assert _cell(achttien, "grondslag_schendingen") == "0"
    assert "zorgtoeslag" in out and "€ per jaar" in out  # the per-regeling table


def test_set_changes_the_logged_strategy(achttien):
    result = invoke("run", "achttien-zorgtoeslag", "-d", "klein", "--set", "kanaal=telefoon",
                    "--period", SHORT)  # fmt: skip
    assert result.exit_code == 0, result.output
    params = _run(result).data.params
    assert params["strategie.kanaal"] == "telefoon"
    assert params["set"] == "kanaal=telefoon"
    assert params["periode"] == "2025-01..2025-06"
    assert _run(achttien).data.params["strategie.kanaal"] == "brief"


def test_the_polis_without_the_amvb_stops_in_strict_mode():
    result = invoke("run", "baanverlies-toeslagen", "-d", "klein")
    _one_line_error(result, "polis.", "wpd_gegevensdeling")


def test_audit_mode_goes_on_and_counts_the_violations():
    result = invoke("run", "baanverlies-toeslagen", "-d", "klein", "--mode", "audit",
                    "--period", SHORT)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert int(_cell(result, "grondslag_schendingen")) > 0
    run = _run(result)
    assert run.data.params["modus"] == "audit"
    assert run.data.metrics["grondslag_schendingen"] == int(_cell(result, "grondslag_schendingen"))


def test_with_the_amvb_the_polis_may_be_read():
    result = invoke("run", "baanverlies-toeslagen", "-d", "klein", "--set",
                    "amvb=[wpd_gegevensdeling]", "--period", SHORT)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert _cell(result, "grondslag_schendingen") == "0"
    assert _run(result).data.params["strategie.amvb"] == str(["wpd_gegevensdeling"])


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (("run", "achtien-zorgtoeslag", "-d", "klein"),
         ("no strategy 'achtien-zorgtoeslag'", "did you mean 'achttien-zorgtoeslag'?")),
        (("run", "achttien-zorgtoeslag", "-d", "klein", "--set", "nope=1"),
         ("--set nope: no such setting", "valid: id, naam")),
        (("run", "achttien-zorgtoeslag", "-d", "klein", "--set", "kanaal"),
         ("--set 'kanaal': expected key=value",)),
        (("run", "achttien-zorgtoeslag", "-d", "bestaat-niet"),
         ("no dataset 'bestaat-niet'", "known: klein")),
        (("runs", "compare", "--sort", "nope"),
         ("unknown metric 'nope'", "standard metrics: bereik")),
        (("runs", "compare", "-e", "bestaat-niet"), ("no experiment 'bestaat-niet'",)),
    ],
    ids=["strategie", "set-sleutel", "set-zonder-is", "dataset", "sorteer", "experiment"],
)  # fmt: skip
def test_user_errors_are_one_line(args, needles):
    _one_line_error(invoke(*args), *needles)


def test_a_malformed_strategy_file_is_one_line(tmp_path):
    path = tmp_path / "kapot.yaml"
    path.write_text("id: kapot\nnaam: [niet gesloten\nregelingen: [zorgtoeslag]\n")
    line = _one_line_error(invoke("run", str(path), "-d", "klein"), "kapot.yaml", "line ")
    assert "Traceback" not in line


def test_an_unknown_mode_is_one_line():
    result = invoke("run", "achttien-zorgtoeslag", "-d", "klein", "--mode", "wild")
    _one_line_error(result, "wild", "strict", "audit")


def test_strategies_list_shows_the_examples():
    result = invoke("strategies", "list")
    assert result.exit_code == 0, result.output
    assert tuple(list_strategies()) == EXAMPLES
    for name in EXAMPLES:
        assert f"│ {name} " in result.output, name


def test_runs_compare_shows_a_finished_run(achttien):
    result = invoke("runs", "compare")
    assert result.exit_code == 0, result.output
    assert _run_id(achttien)[:8] in result.output
    assert "Ranglijst 'proactief' (op euro_per_jaar)" in result.output


def test_run_help_explains_set_mode_and_transfer():
    result = invoke("run", "--help")
    assert result.exit_code == 0
    out = " ".join(result.output.split())
    for text in ("--set", "sleutel=waarde", "--mode", "strict", "audit", "--transfer-to",
                 "referentie-ouder"):  # fmt: skip
        assert text in out, text


def test_calibrate_dry_run_leaves_the_calibration_file_alone():
    before = CALIBRATION.read_bytes()
    result = invoke("takeup", "calibrate", "klein", "--dry-run")
    assert result.exit_code == 0, result.output
    assert CALIBRATION.read_bytes() == before
    assert "zorgtoeslag" in result.output and "opgeslagen" not in result.output
