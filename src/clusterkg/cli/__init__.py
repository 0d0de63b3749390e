"""The ``clusterkg`` command: a thin click group; each command module calls plain functions.

Exit codes follow pySHACL's contract where it applies: 0 success (conforms), 1 a finding
(violations, a failed import), 2 unusable input (unreadable file, bad arguments).
"""

from __future__ import annotations

import click

from clusterkg import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="clusterkg")
def main() -> None:
    """clusterkg: a knowledge graph of industrial clusters and their supply chains."""


def _register() -> None:
    # One import per command module; each module attaches its commands to ``main``.
    from clusterkg.cli import core  # noqa: F401  validate, stats, query, queries

    for name in ("serve", "analyze", "data"):
        try:
            __import__(f"clusterkg.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"clusterkg.cli.{name}":
                raise


_register()
