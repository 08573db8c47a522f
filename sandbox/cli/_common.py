"""Shared CLI plumbing: turning user errors into one line and an exit code, progress bars."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from sandbox.errors import SandboxError

P = ParamSpec("P")
R = TypeVar("R")

console = Console()
err_console = Console(stderr=True)


def user_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Print a `SandboxError` as one line and exit 2; Ctrl-C exits 130 without a traceback."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except SandboxError as exc:
            err_console.print(f"[bold red]fout:[/] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None
        except KeyboardInterrupt:
            err_console.print("afgebroken: er is niets weggeschreven", highlight=False)
            raise typer.Exit(130) from None

    return wrapper


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[str, int, int], None]]:
    """A rich progress bar; yields a callback ``(step, done, total)`` for the library."""
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=1)

        def update(step: str, done: int, total: int) -> None:
            bar.update(task, description=f"{label}: {step}", completed=done, total=total)

        yield update
