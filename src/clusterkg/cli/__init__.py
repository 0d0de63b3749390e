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
    from clusterkg.cli import analyze, core, data, serve  # noqa: F401


_register()
