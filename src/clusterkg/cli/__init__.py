"""The ``clusterkg`` command: a thin click group; each command module calls plain functions.

Exit codes follow pySHACL's contract (see :mod:`clusterkg.errors`): 0 success (conforms), 1 a
finding (violations, a failed import), 2 unusable input (unreadable file, bad arguments, a bad
setting or store spec). :class:`ClusterkgGroup` is the one place that maps errors to them.

Layout: :mod:`.options` declares the shared options, :mod:`.output` renders tables, CSV and
JSON, :mod:`.session` opens the settings and the knowledge graph; each command module
(:mod:`.core`, :mod:`.data`, :mod:`.analyze`, :mod:`.serve`) lists its commands in
``COMMANDS``, which are added to :func:`main` below.
"""

from __future__ import annotations

import os
from typing import Any, NoReturn

import click

from clusterkg.cli import analyze, core, data, serve
from clusterkg.config import home_folder
from clusterkg.errors import ClusterkgError, SettingsError, UnusableInput
from clusterkg.version import __version__

#: Exit status of an error that is a bug rather than a problem with the input.
EXIT_INTERNAL = 1


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


def _exit(ctx: click.Context, message: str, code: int) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    ctx.exit(code)


class ClusterkgGroup(click.Group):
    """A click group that reports every error in one line and exits with its code.

    A :class:`~clusterkg.errors.ClusterkgError` gives its message and ``exit_code``; a file
    that cannot be read or written (:class:`OSError`) is unusable input; anything else is a
    bug, reported in one line with a plea to report it, never as a traceback.
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except ClusterkgError as exc:
            _exit(ctx, str(exc), exc.exit_code)
        except OSError as exc:
            _exit(ctx, str(exc), UnusableInput.exit_code)
        except Exception as exc:  # a bug: one line, not a traceback
            _exit(
                ctx,
                f"internal error ({type(exc).__name__}: {exc}); please report it",
                EXIT_INTERNAL,
            )


@click.group(cls=ClusterkgGroup, context_settings={"help_option_names": ["-h", "--help"]})
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


for _module in (core, data, serve, analyze):
    for _command in _module.COMMANDS:
        main.add_command(_command)
