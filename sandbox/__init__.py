"""Proactief Lab: a sandbox for proactive government services on synthetic citizens."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("proactief-lab")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

__all__ = ["__version__"]
