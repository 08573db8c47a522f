"""Running the `sandbox` command in tests: whatever happens, the user never sees a traceback."""

from __future__ import annotations

from typer.testing import CliRunner, Result

from sandbox.cli import app

# A wide console, so rich does not truncate or wrap the table cells the tests read.
runner = CliRunner(env={"COLUMNS": "240"})


def invoke(*args: str) -> Result:
    """Run `sandbox ARGS`; only a deliberate exit may end the command."""
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output
    # CliRunner swallows uncaught exceptions; only a deliberate exit may end the command.
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result
