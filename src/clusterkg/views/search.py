"""Search over labels and aliases, and the facts of one node with its verbatim source quotes.

Both read the graph through SPARQL; the label index is cached per state of the store.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from clusterkg.analytics.projection import KIND_ORDER, select
from clusterkg.store.kg import KnowledgeGraph
from clusterkg.vocab import CK, PREFIXES, RDF, curie, page_path

#: Search answers at most this many hits.
SEARCH_LIMIT = 20
#: Quotes of related fact nodes (observations, supply links, ...) shown with a node.
RELATED_QUOTES = 30


def label_index(kg: KnowledgeGraph) -> list[dict[str, Any]]:
    """Every resource under ``id/`` with its labels and aliases (rdfs:label, skos:altLabel)."""

    def make() -> list[dict[str, Any]]:
        rows = select(
            kg,
            """SELECT ?s ?name ?alt ?type WHERE {
            { ?s rdfs:label ?name BIND(false AS ?alt) }
            UNION { ?s skos:altLabel ?name BIND(true AS ?alt) }
            FILTER(STRSTARTS(STR(?s), STR(id:)))
            OPTIONAL { ?s a ?type FILTER(STRSTARTS(STR(?type), STR(ck:))) } }""",
        )
        by: dict[str, dict[str, Any]] = {}
        for r in rows:
            rec = by.setdefault(
                r["s"], {"iri": r["s"], "label": None, "aliases": set(), "types": set()}
            )
            name = str(r["name"])
            if r["alt"] in (True, "true"):
                rec["aliases"].add(name)
            elif rec["label"] is None or name < rec["label"]:
                rec["label"] = name
            if r["type"]:
                rec["types"].add(r["type"][len(str(CK)) :])
        out = []
        for rec in by.values():
            rec["label"] = rec["label"] or rec["iri"].rsplit("/", 1)[-1]
            rec["aliases"] = sorted(rec["aliases"] - {rec["label"]})
            rec["types"] = sorted(rec["types"])
            out.append(rec)
        return sorted(out, key=lambda r: r["label"].casefold())

    return kg.cached("label-index", make)


def main_class(types: list[str] | set[str]) -> str | None:
    """The class a person knows a resource by, among its clusterkg ``types``.

    The rule of the explorer's node kinds (:data:`clusterkg.analytics.projection.KIND_ORDER`,
    most specific first, vehicle makers before parts makers): a vehicle maker that also makes
    drive motors is shown as a ``VehicleManufacturer``. A resource with none of those classes
    (a city, an observation) shows the first of its types in alphabetical order; the
    ``SyntheticEntity`` marker is never the main class.
    """
    named = set(types) - {"SyntheticEntity"}
    for kind in KIND_ORDER:
        if kind in named:
            return kind
    return min(named) if named else None


#: Search scopes: every resource, or only those the graph explorer can open (its network).
SEARCH_SCOPES = ("all", "explorer")


def search(
    kg: KnowledgeGraph, q: str, limit: int = SEARCH_LIMIT, scope: str = "all"
) -> list[dict[str, Any]]:
    """Resources whose label or an alias contains ``q`` (case-insensitive).

    Ranked: exact match, then prefix, then word prefix, then substring; labels before aliases.
    Each hit says which name matched, its main class (:func:`main_class`) and whether the
    explorer can open it (``openable``: it is a node of the explorer's network). With
    ``scope="explorer"`` only openable hits are returned, so a list of ``limit`` hits is not
    filled with resources the explorer cannot show.
    """
    from clusterkg.views.explorer import base_network

    key = " ".join(q.split()).casefold()
    if not key:
        return []
    network = base_network(kg)
    hits = []
    for rec in label_index(kg):
        if scope == "explorer" and rec["iri"] not in network:
            continue
        best = None
        for is_alias, name in [(0, rec["label"])] + [(1, a) for a in rec["aliases"]]:
            folded = name.casefold()
            if key not in folded:
                continue
            if folded == key:
                rank = 0
            elif folded.startswith(key):
                rank = 1
            elif f" {key}" in f" {folded}":
                rank = 2
            else:
                rank = 3
            cand = (rank, is_alias, name)
            if best is None or cand < best:
                best = cand
        if best is not None:
            hits.append((best, rec))
    hits.sort(key=lambda h: (h[0][0], h[0][1], h[1]["label"].casefold()))
    return [
        {
            "iri": rec["iri"],
            "label": rec["label"],
            "matched": name,
            "alias": bool(is_alias),
            "types": rec["types"],
            "kind": main_class(rec["types"]),
            "openable": rec["iri"] in network,
            "page": page_path(rec["iri"]),
        }
        for (_, is_alias, name), rec in hits[:limit]
    ]


def node_detail(kg: KnowledgeGraph, iri: str) -> dict[str, Any] | None:
    """Facts, links and verbatim quotes (with their source documents) of one resource.

    ``facts`` are literal-valued statements, ``links`` IRI-valued ones (outgoing and incoming,
    with labels; ``synthetic`` marks a link to a generated resource, listed after the curated
    ones), ``synthetic`` says whether the resource itself is generated, ``quotes`` the ``ck:quote`` of the node itself, and ``related`` the quotes of
    the fact nodes that point at it (observations, supply links, collaborations). ``None`` when
    the graph does not mention ``iri``.
    """
    b = {"s": iri}
    out = select(
        kg,
        """SELECT ?s ?p ?o ?olabel ?isiri ?syn WHERE { ?s ?p ?o BIND(isIRI(?o) AS ?isiri)
        BIND(EXISTS { ?o a ck:SyntheticEntity } AS ?syn)
        OPTIONAL { ?o rdfs:label ?olabel FILTER(LANG(?olabel) IN ("", "en")) } }""",
        bindings=b,
    )
    inc = select(
        kg,
        # Curated links first, so that generated ones never crowd them out of the limit.
        """SELECT ?s ?x ?p ?xlabel ?syn WHERE { ?x ?p ?s FILTER(isIRI(?x))
        BIND(EXISTS { ?x a ck:SyntheticEntity } AS ?syn)
        OPTIONAL { ?x rdfs:label ?xlabel FILTER(LANG(?xlabel) IN ("", "en")) } }
        ORDER BY ?syn ?x LIMIT 300""",
        bindings=b,
    )
    if not out and not inc:
        return None
    quotes = select(
        kg,
        """SELECT ?s ?quote ?src ?title ?file WHERE { GRAPH ?g { ?s ck:quote ?quote
        OPTIONAL { ?s prov:wasDerivedFrom ?src } }
        OPTIONAL { ?src dcterms:title|rdfs:label ?title }
        OPTIONAL { ?src ck:fileName ?file } }""",
        bindings=b,
    )
    related = select(
        kg,
        """SELECT ?s ?x ?p ?xlabel ?quote ?src ?title WHERE { ?x ?p ?s ; ck:quote ?quote
        OPTIONAL { ?x rdfs:label ?xlabel }
        OPTIONAL { ?x prov:wasDerivedFrom ?src OPTIONAL { ?src dcterms:title ?title } } }
        ORDER BY ?x LIMIT """
        + str(RELATED_QUOTES),
        bindings=b,
    )
    label = None
    is_synthetic = any(r["p"] == str(RDF.type) and r["o"] == str(CK.SyntheticEntity) for r in out)
    facts, links = [], []
    for r in out:
        p = r["p"]
        o = r["o"]
        if p == str(PREFIXES["rdfs"]) + "label" and label is None:
            label = str(o)
        if r["isiri"] in (True, "true"):
            links.append(_link(p, o, r["olabel"], "out", r["syn"]))
        elif p != str(CK.quote):
            facts.append({"property": curie(p), "value": str(o)})
    for r in inc:
        links.append(_link(r["p"], r["x"], r["xlabel"], "in", r["syn"]))
    seen: set[tuple[str, str, str]] = set()
    unique = []
    for x in links:
        key = (x["direction"], x["property"], x["iri"])
        if key not in seen:
            seen.add(key)
            unique.append(x)
    links = unique
    fact_pairs = sorted({(f["property"], f["value"]) for f in facts})
    q_out: dict[tuple, dict[str, Any]] = {}
    for r in quotes:
        k = (str(r["quote"]), r["src"])
        rec = q_out.setdefault(
            k, {"quote": str(r["quote"]), "source": r["src"], "title": None, "file": None}
        )
        if r["title"] and (rec["title"] is None or len(str(r["title"])) > len(rec["title"])):
            rec["title"] = str(r["title"])
        if r["file"]:
            rec["file"] = str(r["file"])
    rel_out: dict[tuple, dict[str, Any]] = defaultdict(dict)
    for r in related:
        k = (r["x"], str(r["quote"]))
        rel_out[k].update(
            {
                "node": r["x"],
                "label": str(r["xlabel"]) if r["xlabel"] else r["x"].rsplit("/", 1)[-1],
                "property": curie(r["p"]),
                "quote": str(r["quote"]),
                "source": r["src"],
                "title": str(r["title"]) if r["title"] else rel_out[k].get("title"),
            }
        )
    return {
        "iri": iri,
        "label": label or iri.rsplit("/", 1)[-1],
        "page": page_path(iri),
        "facts": [{"property": p, "value": v} for p, v in fact_pairs],
        "links": sorted(
            links, key=lambda x: (x["synthetic"], x["direction"], x["property"], x["label"])
        ),
        "synthetic": is_synthetic,
        "quotes": sorted(q_out.values(), key=lambda q: q["quote"]),
        "related": sorted(rel_out.values(), key=lambda q: (q["label"], q["quote"])),
    }


def _link(p: str, iri: str, label: Any, direction: str, synthetic: Any) -> dict[str, Any]:
    return {
        "direction": direction,
        # Links to generated resources (ck:SyntheticEntity) are marked, and listed apart.
        "synthetic": synthetic in (True, "true"),
        "property": curie(p),
        "iri": iri,
        "label": str(label) if label is not None else curie(iri).rsplit("/", 1)[-1],
        "page": page_path(iri),
    }
