"""``/ontology`` (pyLODE HTML for browsers, the Turtle by Accept) and ``/context.jsonld``."""

from __future__ import annotations

import json

from flask import Blueprint, Response, request

from clusterkg.io.jsonld_context import jsonld_context
from clusterkg.io.ontology_docs import OntologyDocsError, ontology_file, ontology_html
from clusterkg.web.app import get_kg
from clusterkg.web.errors import ApiError
from clusterkg.web.formats import NotAcceptable, negotiate

bp = Blueprint("ontology", __name__)

_OFFERED = {"text/html": "html", "text/turtle": "turtle", "application/x-turtle": "turtle"}


@bp.get("/ontology")
def ontology() -> Response:
    """The ontology: HTML documentation, or the Turtle source when the client asks for it."""
    try:
        mime = negotiate(request.accept_mimetypes, _OFFERED, request.args.get("format"))
    except NotAcceptable:
        raise ApiError(406, "available: text/html, text/turtle") from None
    settings = get_kg().settings
    if _OFFERED[mime] == "turtle":
        try:
            body = ontology_file(settings).read_bytes()
        except OSError:
            raise ApiError(404, "the ontology file is missing") from None
        resp = Response(body, mimetype="text/turtle")
    else:
        try:
            resp = Response(ontology_html(settings), mimetype="text/html")
        except OntologyDocsError as exc:
            raise ApiError(500, str(exc)) from None
    resp.headers["Vary"] = "Accept"
    return resp


@bp.get("/context.jsonld")
def context() -> Response:
    """The published JSON-LD @context of clusterkg exports."""
    body = json.dumps(jsonld_context(), indent=2, ensure_ascii=False)
    return Response(body, mimetype="application/ld+json")
