"""Errors for people: JSON, plain text or HTML by Accept; a request id; never a stack trace.

Every :class:`clusterkg.errors.ClusterkgError` is answered by one handler, with its
``http_status`` and message; werkzeug's HTTP errors keep their status; anything else is a bug,
answered with a 500 and the request id under which the server log has the traceback.
"""

from __future__ import annotations

import logging
import os
import re

from flask import Flask, Response, g, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from clusterkg.errors import ClusterkgError

log = logging.getLogger("clusterkg.web")
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


class ApiError(ClusterkgError):
    """An error a route raises to answer with ``status`` and ``message``."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.http_status = self.status = status
        self.message = message
        self.headers = headers or {}


def request_id() -> str:
    """The id of the current request (a client's ``X-Request-Id`` if sane, else a new one)."""
    rid = getattr(g, "request_id", None)
    if rid is None:
        rid = g.request_id = new_request_id(request.headers.get("X-Request-Id"))
    return rid


def new_request_id(given: str | None = None) -> str:
    """A request id: ``given`` (the client's ``X-Request-Id``) if sane, else a new one.

    Without Flask, for the errors the server answers before the app (web.connections).
    """
    return given if given and _REQUEST_ID.fullmatch(given) else os.urandom(8).hex()


def error_response(
    status: int,
    message: str,
    headers: dict[str, str] | None = None,
    fields: dict[str, object] | None = None,
) -> Response:
    """An error answer in the representation the client prefers (plain text by default);
    ``fields`` (e.g. a query error's ``line`` and ``column``) are added to a JSON answer."""
    rid = request_id()
    if status < 500:
        log.info("request %s: %s %s -> %d %s", rid, request.method, request.path, status, message)
    accept = request.accept_mimetypes
    kind = accept.best_match(["text/plain", "application/json", "text/html"]) if accept else None
    if kind == "application/json":
        resp = jsonify({"error": message, "status": status, "request_id": rid, **(fields or {})})
    elif kind == "text/html":
        resp = Response(
            render_template("error.html", status=status, message=message, request_id=rid),
            mimetype="text/html",
        )
    else:
        resp = Response(f"{status} {message}\n(request id {rid})\n", mimetype="text/plain")
    resp.status_code = status
    for key, value in (headers or {}).items():
        resp.headers[key] = value
    return resp


def init_app(app: Flask) -> None:
    """Install the request id and the error handlers on ``app``.

    The id is made when first asked for (an error's log line, or the response header), not
    before each request: a hook less on every request.
    """

    @app.after_request
    def _send_id(resp: Response) -> Response:
        resp.headers["X-Request-Id"] = request_id()
        return resp

    @app.errorhandler(ClusterkgError)
    def _clusterkg_error(exc: ClusterkgError) -> Response:
        # A query error's place, so an editor can mark it without reading the message.
        where = {k: getattr(exc, k) for k in ("line", "column") if getattr(exc, k, None)}
        return error_response(exc.http_status, str(exc), getattr(exc, "headers", None), where)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        message = exc.description or exc.name
        if status == 413:
            limit = app.config.get("MAX_CONTENT_LENGTH")
            message = f"the request body is larger than the {limit} byte limit"
        headers = {}
        if exc.response is None:
            allow = [v for k, v in exc.get_headers() if k.lower() == "allow"]
            if allow:
                headers["Allow"] = allow[0]
        return error_response(status, message, headers)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        log.exception("request %s: %s %s failed", request_id(), request.method, request.path)
        return error_response(
            500, "internal server error; the server log has the details under this request id"
        )
