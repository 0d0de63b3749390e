"""One error hierarchy for the whole tool, mapped once to exit codes and once to HTTP statuses.

Core functions raise a subclass of :class:`ClusterkgError`; the CLI's entry point turns it into
its message and ``exit_code``, the web layer's error handler into its message and
``http_status``. Nothing else decides either. The exit codes follow pySHACL's ``main()``:

- 0: success (the data conforms, the command did its job);
- 1: a *finding* (violations, a refused import, rows that could not be taken);
- 2: *unusable input* (an unreadable file, a bad store spec, an unknown region, a bad setting).

Anything that is not a :class:`ClusterkgError` is a bug: both edges report it in one line with
a request id or a plea to report it, never a traceback.
"""

from __future__ import annotations


class ClusterkgError(Exception):
    """Base of every error clusterkg reports to a person."""

    #: The CLI's exit status for this error.
    exit_code: int = 2
    #: The HTTP status the web layer answers with.
    http_status: int = 500


class UnusableInput(ClusterkgError):
    """The input cannot be used at all: a bad argument, file, store spec or setting."""

    exit_code = 2
    http_status = 400


class Finding(ClusterkgError):
    """The input was read and checked, and the check found problems (violations, bad rows)."""

    exit_code = 1
    http_status = 422


class SettingsError(UnusableInput):
    """A configuration value (a ``CLUSTERKG_*`` variable or an option) that cannot be used."""
