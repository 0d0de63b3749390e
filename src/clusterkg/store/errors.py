"""The store's errors, as members of the one hierarchy of :mod:`clusterkg.errors`.

Every one of them is *unusable input* (CLI exit 2): a query, update, file or store spec that
cannot be used as given. Each keeps the HTTP status the endpoint has always answered with
(``http_status``; ``status`` is the older name of the same number).
"""

from __future__ import annotations

from pathlib import Path

from clusterkg.errors import UnusableInput


class StoreError(UnusableInput):
    """Base of the store's errors."""

    @property
    def status(self) -> int:
        """The HTTP status (the name routes used before :mod:`clusterkg.errors` existed)."""
        return self.http_status


class QueryError(StoreError):
    """A query that cannot run: bad syntax, a bad parameter or a store failure."""

    http_status = 400

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        self.message = message
        self.line = line
        self.column = column
        where = f" (line {line}, column {column})" if line is not None else ""
        super().__init__(f"{message}{where}")


class QueryRefused(QueryError):
    """A query that asks for something the server does not allow (SERVICE, LOAD, updates)."""

    http_status = 400


class QueryTimeout(QueryError):
    """A query that ran past the time limit (the server is not at fault: 503, try later)."""

    http_status = 503


class RequesterGone(QueryError):
    """A query stopped because its client closed the connection: nobody reads the answer
    (:mod:`clusterkg.store.abandon`). 499 is nginx's "client closed request", for the logs."""

    http_status = 499


class QueryTooLarge(QueryError):
    """A query or update that needed more memory than a query worker may use (507).

    Running it again would need the same memory again, so the message never says "try again".
    """

    http_status = 507


class BackendError(StoreError):
    """The store could not be opened or reached (a bad spec, a locked folder, a dead URL)."""

    http_status = 502


class LoadError(StoreError):
    """An input file could not be read or parsed. Carries the file and, where known, the line."""

    http_status = 400

    def __init__(
        self, path: Path | str, message: str, line: int | None = None, column: int | None = None
    ) -> None:
        self.path = Path(path)
        self.message = message
        self.line = line
        self.column = column
        where = f"{self.path}"
        if line is not None:
            where += f", line {line}" + (f", column {column}" if column is not None else "")
        super().__init__(f"{where}: {message}")
