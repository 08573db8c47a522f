"""Reading the YAML files users edit: a mapping, or one line naming the file, line and column."""

from __future__ import annotations

from pathlib import Path

import yaml

from sandbox.errors import SandboxError

__all__ = ["read_mapping"]


def read_mapping(path: Path, error: type[SandboxError], what: str = "file") -> dict:
    """The mapping a YAML file holds.

    Args:
        path: the file.
        error: the error class of the part reading it (e.g. `RuleError`).
        what: what the file is, for the messages (``regeling file``, ``strategy file``).

    Returns:
        The top-level mapping.

    Raises:
        error: the file is missing or not UTF-8, not valid YAML (with line, column and the
            parser's problem), or does not hold a mapping of fields — one line each.

    Example:
        A missing colon on line 3 gives
        ``zorgtoeslag.yaml: line 3, column 1: YAML syntax error: could not find expected ':'``.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"{path}: {what} not found") from None
    except IsADirectoryError:
        raise error(f"{path}: is a folder, not a {what}") from None
    except UnicodeDecodeError:
        raise error(f"{path}: not UTF-8 text; save the {what} as UTF-8") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}:" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise error(f"{path}:{where} YAML syntax error: {problem}") from None
    if not isinstance(data, dict):
        raise error(f"{path}: expected a mapping of fields, got {type(data).__name__}")
    return data
