"""The ``clusterkg`` command: a thin click group; each command module calls plain functions.

Exit codes follow pySHACL's contract where it applies: 0 success (conforms), 1 a finding
(violations, a failed import), 2 unusable input (unreadable file, bad arguments).
"""

from __future__ import annotations

import os

import click

from clusterkg import __version__
from clusterkg.config import home_folder
from clusterkg.errors import SettingsError


def _use_home(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    """Check ``--home`` (or ``CLUSTERKG_HOME``) once, before any command, and hand it to every
    command (and the server's worker processes) through ``CLUSTERKG_HOME``."""
    if not value:
        return
    source = ctx.get_parameter_source(param.name or "home")
    given_as = "--home" if source == click.core.ParameterSource.COMMANDLINE else "CLUSTERKG_HOME"
    try:
        os.environ["CLUSTERKG_HOME"] = str(home_folder(value, given_as))
    except SettingsError as exc:
        raise click.UsageError(str(exc)) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="clusterkg")
@click.option(
    "--home",
    envvar="CLUSTERKG_HOME",
    metavar="DIR",
    callback=_use_home,
    expose_value=False,
    is_eager=True,
    help="A folder of your own ontology/, graphs/ and queries/ over the bundled ones "
    "(README: 'Your own data and queries'); env CLUSTERKG_HOME.",
)
def main() -> None:
    """clusterkg: a knowledge graph of industrial clusters and their supply chains."""


def _register() -> None:
    # One import per command module; each module attaches its commands to ``main``.
    from clusterkg.cli import analyze, core, data, serve  # noqa: F401


_register()
