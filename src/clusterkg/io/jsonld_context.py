"""The published JSON-LD ``@context`` of clusterkg (served at ``/context.jsonld``).

It is generated from :mod:`clusterkg.vocab`, so prefixes and terms never drift from the
namespaces the code uses. JSON-LD 1.1 (https://www.w3.org/TR/json-ld11/#the-context): prefix
definitions plus a few short terms with their value types.
"""

from __future__ import annotations

from typing import Any

from clusterkg.vocab import CK, PREFIXES, RDFS, SKOS, WGS84, XSD

#: Where the context is published (the endpoint serves the same document).
CONTEXT_URL = "https://w3id.org/clusterkg/context.jsonld"


def jsonld_context() -> dict[str, Any]:
    """The clusterkg JSON-LD context document: ``{"@context": {...}}``."""
    terms: dict[str, Any] = dict(sorted(PREFIXES.items()))
    terms.update(
        {
            "label": {"@id": str(RDFS.label)},
            "altLabel": {"@id": str(SKOS.altLabel)},
            "lat": {"@id": str(WGS84.lat), "@type": str(XSD.decimal)},
            "long": {"@id": str(WGS84.long), "@type": str(XSD.decimal)},
            "memberOf": {"@id": str(CK.memberOf), "@type": "@id"},
            "locatedIn": {"@id": str(CK.locatedIn), "@type": "@id"},
            "supplier": {"@id": str(CK.supplier), "@type": "@id"},
            "customer": {"@id": str(CK.customer), "@type": "@id"},
            "suppliedItem": {"@id": str(CK.suppliedItem), "@type": "@id"},
            "sector": {"@id": str(CK.sector), "@type": "@id"},
            "quote": {"@id": str(CK.quote)},
        }
    )
    return {"@context": terms}
