"""The numbers of the home page and the cluster dashboards, read through SPARQL.

Every figure keeps the IRI of the observation it comes from, so the page links each number to
its ``/id/obs/...`` page (with the verbatim quote and the source document).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from urllib.parse import urlencode

from clusterkg.analytics import indicators
from clusterkg.analytics.projection import select
from clusterkg.store.errors import QueryTimeout, QueryTooLarge
from clusterkg.store.kg import KnowledgeGraph
from clusterkg.views import analysis as an
from clusterkg.views import explorer as gd
from clusterkg.views.sources import source_titles
from clusterkg.vocab import ANALYTICS_GRAPH, CK, ID, SYNTHETIC_GRAPH, page_path

#: Columns of the cluster comparison: indicator local name -> heading.
COMPARED = {
    "VehicleEnterpriseCount": "Vehicle enterprises",
    "PartsEnterpriseCount": "Parts enterprises",
    "NEVOutput": "NEV output",
    "PublicChargingPiles": "Public charging piles",
}
#: The compared enterprise counts, which come from one source (:func:`comparable`).
COUNTS = ("VehicleEnterpriseCount", "PartsEnterpriseCount")


#: What a named graph holds, for counts that keep curated facts and generated data apart.
GRAPH_ROLES = ("curated", "ontology", "synthetic", "analytics")


def graph_roles(kg: KnowledgeGraph) -> dict[str, str]:
    """Each named graph of the store and its role.

    ``synthetic`` is the generated network's graph and ``analytics`` the analysis results'
    (:mod:`clusterkg.vocab`); ``ontology`` the graphs loaded from the ontology folder (the
    ontology, shapes and schemes); every other graph holds ``curated`` data: the hand-made
    files of ``graphs/`` and any file a user added.
    """
    from clusterkg.store.graph_files import discover, graph_iri_for

    folder = kg.settings.ontology_dir
    ontology = {graph_iri_for(p) for p in discover([folder])} if folder.is_dir() else set()
    roles = {}
    for g in kg.backend.graph_names():
        if g == str(SYNTHETIC_GRAPH):
            roles[g] = "synthetic"
        elif g == str(ANALYTICS_GRAPH):
            roles[g] = "analytics"
        elif g in ontology:
            roles[g] = "ontology"
        else:
            roles[g] = "curated"
    return roles


def statement_counts(kg: KnowledgeGraph) -> dict[str, int]:
    """Statements per role of :func:`graph_roles` (a statement stated in two graphs of one
    role counts once per graph: the files are counted as written)."""

    def make() -> dict[str, int]:
        out = dict.fromkeys(GRAPH_ROLES, 0)
        for g, role in graph_roles(kg).items():
            out[role] += kg.backend.count(g)
        return out

    return kg.cached("statement-counts", make)


#: The graph roles each side of the home page's class tables counts: what was made by hand
#: (the curated files, and the ontology's own instances such as indicators and sectors), and
#: what the generator made.
COUNTED_ROLES = {"curated": ("curated", "ontology"), "synthetic": ("synthetic",)}


def class_counts(kg: KnowledgeGraph, side: str = "curated") -> list[dict[str, Any]]:
    """Resources per clusterkg class typed in the graphs of one side of
    :data:`COUNTED_ROLES`, largest first: ``curated`` counts what the hand-made files state,
    ``synthetic`` what the generator made. Direct types only; a resource typed on both sides
    counts on both. Each row carries a SPARQL query that lists the resources it counts."""

    def make() -> list[dict[str, Any]]:
        graphs = [g for g, r in graph_roles(kg).items() if r in COUNTED_ROLES[side]]
        if not graphs:
            return []
        values = " ".join(f"<{g}>" for g in graphs)
        rows = select(
            kg,
            f"""SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ VALUES ?g {{ {values} }}
            GRAPH ?g {{ ?s a ?c }} FILTER(STRSTARTS(STR(?c), STR(ck:))) }} GROUP BY ?c""",
        )
        out = [
            {
                "class": r["c"][len(str(CK)) :],
                "iri": r["c"],
                "count": int(r["n"]),
                "query": _listing_query(r["c"][len(str(CK)) :], side),
            }
            for r in rows
        ]
        return sorted(out, key=lambda r: (-r["count"], r["class"]))

    return kg.cached(("class-counts", side), make)


def _listing_query(cls: str, side: str) -> str:
    """A SPARQL query listing the resources of ``cls`` that :func:`class_counts` counts."""
    others = f"<{SYNTHETIC_GRAPH}>, <{ANALYTICS_GRAPH}>"
    where = (
        f"GRAPH <{SYNTHETIC_GRAPH}> {{ ?s a ck:{cls} }}"
        if side == "synthetic"
        else f"GRAPH ?g {{ ?s a ck:{cls} }} FILTER(?g NOT IN ({others}))"
    )
    return (
        f"PREFIX ck: <{CK}>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        f"SELECT DISTINCT ?s ?label WHERE {{\n  {where}\n  OPTIONAL {{ ?s rdfs:label ?label }}\n}}"
        " ORDER BY ?label"
    )


def sources(kg: KnowledgeGraph) -> list[dict[str, Any]]:
    """The source documents with title, publisher, date and how many facts cite each."""
    titles = source_titles(kg)
    rows = select(
        kg,
        """SELECT ?s (SAMPLE(?pub) AS ?publisher) (SAMPLE(?d) AS ?date)
        (COUNT(DISTINCT ?f) AS ?facts) WHERE { ?s a ck:SourceDocument
        OPTIONAL { ?s dcterms:publisher ?pub }
        OPTIONAL { ?s dcterms:date ?d } OPTIONAL { ?f prov:wasDerivedFrom ?s } } GROUP BY ?s""",
    )
    return sorted(
        (
            {
                "iri": r["s"],
                "page": page_path(r["s"]),
                "title": titles.get(str(r["s"]), str(r["s"])),
                "publisher": str(r["publisher"] or ""),
                "date": str(r["date"] or ""),
                "facts": int(r["facts"]),
            }
            for r in rows
        ),
        key=lambda r: r["iri"],
    )


def observations(kg: KnowledgeGraph) -> list[dict[str, Any]]:
    """Every observation with its indicator, area, value, words, period, source and unit."""

    def make() -> list[dict[str, Any]]:
        rows = select(
            kg,
            """SELECT ?obs ?ind ?indLabel ?area ?value ?stated ?period ?approx ?approxLabel ?src
            ?unit WHERE { ?obs a ck:Observation ; ck:indicator ?ind ; ck:refArea ?area ;
            ck:value ?value .
            OPTIONAL { ?ind rdfs:label ?indLabel FILTER(LANG(?indLabel) IN ("", "en")) }
            OPTIONAL { ?obs ck:statedValue ?stated } OPTIONAL { ?obs ck:refPeriod ?period }
            OPTIONAL { ?obs ck:approximation ?approx
              OPTIONAL { ?approx rdfs:label ?approxLabel FILTER(LANG(?approxLabel) IN ("", "en")) } }
            OPTIONAL { ?obs ck:unit ?unit }
            OPTIONAL { ?obs prov:wasDerivedFrom ?src } }""",
        )
        out: dict[str, dict[str, Any]] = {}
        for r in rows:
            try:
                value = float(r["value"])
            except (TypeError, ValueError):
                continue
            out.setdefault(
                r["obs"],
                {
                    "obs": r["obs"],
                    "page": page_path(r["obs"]),
                    "indicator": r["ind"][len(str(CK)) :]
                    if r["ind"].startswith(str(CK))
                    else r["ind"],
                    "indicator_label": str(r["indLabel"] or r["ind"].rsplit("#", 1)[-1]),
                    "area": r["area"],
                    "value": value,
                    "stated": str(r["stated"]) if r["stated"] is not None else None,
                    "period": str(r["period"]) if r["period"] is not None else None,
                    "approximation": (r["approx"] or "").rsplit("#", 1)[-1] or None,
                    # Words to show before the number ("about 341,000"): the qualifier's label.
                    "qualifier": str(r["approxLabel"] or "") or None,
                    "source": r["src"],
                    "unit": (r["unit"] or "").rsplit("/", 1)[-1] or None,
                },
            )
        return sorted(out.values(), key=lambda o: o["obs"])

    return kg.cached("observations", make)


def comparable(
    kg: KnowledgeGraph,
) -> tuple[dict[tuple[str, str], indicators.Observation], str]:
    """The comparable enterprise counts and their source
    (:func:`clusterkg.analytics.indicators.comparable_counts`), once per state of the store."""
    return kg.cached(
        "comparable-counts", lambda: indicators.comparable_counts(indicators.observations(kg))
    )


def _pick(candidates: list[dict[str, Any]], preferred: str | None) -> dict[str, Any] | None:
    """One observation: from the preferred source if it has one, then the latest period."""
    if not candidates:
        return None
    return sorted(
        candidates,
        key=lambda o: (
            o["source"] != preferred,
            -(int(o["period"][:4]) if o["period"] else 0),
            o["obs"],
        ),
    )[0]


def comparison(kg: KnowledgeGraph) -> dict[str, Any]:
    """The six automobile clusters side by side.

    The vehicle and parts enterprise counts are the comparable counts of
    :func:`clusterkg.analytics.indicators.comparable_counts` (both from the one source that
    gives both for the most clusters), so that counts made differently are not mixed. Each
    other indicator comes preferably from the source that states it for most of the six
    clusters. A figure from another source (a cluster the preferred source leaves out) is
    marked. The parts-per-vehicle-enterprise ratio is ``parts / vehicles`` of those counts.
    """
    obs = observations(kg)
    clusters = gd.AUTO_CLUSTERS
    labels = gd.labels(kg)
    # A cluster's figures may be stated for the economic region it covers (e.g. the
    # Chengdu-Chongqing economic circle): those count for the cluster too.
    area_of = {c: c for c in clusters}
    for r in select(
        kg,
        """SELECT ?c ?r WHERE { ?c ck:coversRegion ?r . ?r a ck:EconomicRegion }""",
    ):
        if r["c"] in clusters:
            area_of.setdefault(r["r"], r["c"])
    by: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for o in obs:
        if o["area"] in area_of and o["indicator"] in COMPARED:
            by[(o["indicator"], area_of[o["area"]])].append(o)
    preferred: dict[str, str | None] = {}
    for ind in COMPARED:
        per_src: dict[str, set] = defaultdict(set)
        for c in clusters:
            for o in by.get((ind, c), []):
                per_src[o["source"] or ""].add(c)
        preferred[ind] = (
            sorted(per_src, key=lambda s: (-len(per_src[s]), s))[0] if per_src else None
        )
    counts, count_source = comparable(kg)
    by_iri = {o["obs"]: o for o in obs}
    for ind in COUNTS:
        preferred[ind] = count_source or None
    rows = []
    for c in clusters:
        row: dict[str, Any] = {
            "iri": c,
            "slug": c.rsplit("/", 1)[-1],
            "label": labels.get(c, c.rsplit("/", 1)[-1]),
            "short": labels.get(c, c).replace(" automobile industry cluster", ""),
            "cells": {},
        }
        for ind in COMPARED:
            counted = counts.get((str(CK[ind]), c)) if ind in COUNTS else None
            cell = by_iri.get(counted["obs"]) if counted else None
            if cell is None:
                cell = _pick(by.get((ind, c), []), preferred[ind])
            if cell is not None:
                cell = {**cell, "other_source": cell["source"] != preferred[ind]}
            row["cells"][ind] = cell
        v, p = row["cells"]["VehicleEnterpriseCount"], row["cells"]["PartsEnterpriseCount"]
        row["ratio"] = p["value"] / v["value"] if v and p and v["value"] else None
        # Computed here, not stated: the page says from which two observations.
        row["ratio_from"] = {"parts": p, "vehicles": v} if row["ratio"] is not None else None
        rows.append(row)
    charts = []
    for ind, heading in COMPARED.items():
        bars = [
            {
                "label": r["short"],
                "value": r["cells"][ind]["value"],
                "page": r["cells"][ind]["page"],
                "stated": r["cells"][ind]["stated"],
                "qualifier": r["cells"][ind]["qualifier"],
            }
            for r in rows
            if r["cells"][ind] is not None
        ]
        charts.append({"id": ind, "title": heading, "bars": bars})
    charts.insert(
        2,
        {
            "id": "ratio",
            "title": "Parts enterprises per vehicle enterprise",
            "bars": [
                {
                    # One decimal, as in the table; the bar links to how it is computed.
                    "label": r["short"],
                    "value": round(r["ratio"], 1),
                    "page": f"#ratio-{r['slug']}",
                    "stated": f"{round(r['ratio'], 1)}, computed: parts ÷ vehicle enterprises",
                    "qualifier": None,
                }
                for r in rows
                if r["ratio"] is not None
            ],
        },
    )
    return {"rows": rows, "columns": COMPARED, "charts": charts}


def _cluster_facts(kg: KnowledgeGraph, iri: str) -> dict[str, Any]:
    b = {"c": iri}
    head = select(
        kg,
        """SELECT ?c ?label ?note WHERE { ?c a ck:IndustrialCluster
        OPTIONAL { ?c rdfs:label ?label FILTER(LANG(?label) IN ("", "en")) }
        OPTIONAL { ?c ck:note ?note } }""",
        bindings=b,
    )
    # A quote's source is the one its graph (file) states for the cluster, as on /id/ pages;
    # the fact it supports is a resource about the cluster quoting the same words (e.g. the
    # observation "The Chengdu-Chongqing industry cluster is 6.24" is the quote of).
    quotes = select(
        kg,
        """SELECT ?c ?quote ?src ?f ?flabel WHERE {
        GRAPH ?g { ?c ck:quote ?quote OPTIONAL { ?c prov:wasDerivedFrom ?src } }
        OPTIONAL { ?f ck:quote ?quote ; ?p ?c FILTER(?f != ?c)
          OPTIONAL { ?f rdfs:label ?flabel FILTER(LANG(?flabel) IN ("", "en")) } } }""",
        bindings=b,
    )
    regions = select(
        kg,
        """SELECT ?c ?r ?label ?lat ?long WHERE { ?c ck:coversRegion ?r
        OPTIONAL { ?r rdfs:label ?label FILTER(LANG(?label) IN ("", "en")) }
        OPTIONAL { ?r wgs84:lat ?lat ; wgs84:long ?long } }""",
        bindings=b,
    )
    policies = select(
        kg,
        """SELECT DISTINCT ?c ?p ?label ?how WHERE {
        { ?p ck:targets ?c BIND("targets the cluster" AS ?how) }
        UNION { ?p ck:issuedBy ?c BIND("issued by the cluster" AS ?how) }
        UNION { ?c ck:coversRegion ?r . ?p ck:targets ?r BIND("targets a covered region" AS ?how) }
        ?p a/rdfs:subClassOf* ck:Policy
        OPTIONAL { ?p rdfs:label ?label FILTER(LANG(?label) IN ("", "en")) } }""",
        bindings=b,
    )
    collabs = select(
        kg,
        """SELECT DISTINCT ?c ?x ?label WHERE { ?m ck:memberOf ?c .
        ?x a ck:Collaboration ; ck:participant ?m
        OPTIONAL { ?x rdfs:label ?label FILTER(LANG(?label) IN ("", "en")) } }""",
        bindings=b,
    )
    unis = select(
        kg,
        """SELECT DISTINCT ?c ?u ?label WHERE {
        ?u a ?t VALUES ?t { ck:University ck:ResearchInstitute }
        { ?u ck:memberOf ?c } UNION { ?m ck:memberOf ?c . { ?u ck:collaboratesWith ?m }
          UNION { ?m ck:collaboratesWith ?u } UNION { ?x ck:participant ?u , ?m } }
        UNION { ?c ck:coversRegion ?r . ?u ck:locatedIn/ck:partOf* ?r }
        OPTIONAL { ?u rdfs:label ?label FILTER(LANG(?label) IN ("", "en")) } }""",
        bindings=b,
    )
    return {
        "head": head,
        "quotes": quotes,
        "regions": regions,
        "policies": policies,
        "collabs": collabs,
        "unis": unis,
    }


def _map(regions: list[dict[str, Any]], members: list[dict[str, Any]]) -> dict[str, Any]:
    """Points of the covered regions and located members in an equirectangular frame of China."""
    lon0, lon1, lat0, lat1 = 73.0, 135.0, 18.0, 54.0
    w, h = 320.0, 200.0

    def xy(lat: float, lon: float) -> tuple[float, float]:
        return (
            round((lon - lon0) / (lon1 - lon0) * w, 1),
            round((lat1 - lat) / (lat1 - lat0) * h, 1),
        )

    pts = []
    for r in regions:
        if r["lat"] is not None:
            x, y = xy(float(r["lat"]), float(r["long"]))
            pts.append({"x": x, "y": y, "label": str(r["label"] or r["r"]), "kind": "region"})
    seen = {(p["x"], p["y"]) for p in pts}
    for m in members:
        if m.get("lat") is not None:
            x, y = xy(float(m["lat"]), float(m["long"]))
            if (x, y) not in seen:
                seen.add((x, y))
                pts.append({"x": x, "y": y, "label": m["label"], "kind": "member"})
    return {"width": w, "height": h, "points": pts}


def _quotes(
    kg: KnowledgeGraph, rows: list[dict[str, Any]], iri: str, label: str
) -> list[dict[str, Any]]:
    """The cluster's quotes, each with its source documents (named by title, as on /id/
    pages) and the fact it supports: a resource about the cluster quoting the same words, else
    the cluster's own description in that source."""
    titles = source_titles(kg)
    out: dict[str, dict[str, Any]] = {}
    for r in rows:
        q = out.setdefault(str(r["quote"]), {"text": str(r["quote"]), "sources": {}, "facts": {}})
        if r["src"]:
            q["sources"][r["src"]] = {
                "page": page_path(r["src"]),
                "title": titles.get(str(r["src"]), str(r["src"]).rsplit("/", 1)[-1]),
            }
        if r["f"]:
            q["facts"][r["f"]] = {
                "page": page_path(r["f"]),
                "label": str(r["flabel"] or r["f"].rsplit("/", 1)[-1]),
            }
    for q in out.values():
        if not q["facts"]:
            q["facts"][iri] = {"page": page_path(iri), "label": label}
        q["sources"] = sorted(q["sources"].values(), key=lambda s: s["title"])
        q["facts"] = sorted(q["facts"].values(), key=lambda f: f["label"])
    return sorted(
        out.values(), key=lambda q: (q["sources"][0]["title"] if q["sources"] else "", q["text"])
    )


def _policies(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per policy with every way it relates to the cluster."""
    out: dict[str, dict[str, Any]] = {}
    for r in rows:
        rec = out.setdefault(
            r["p"], {"page": page_path(r["p"]), "label": str(r["label"] or r["p"]), "hows": set()}
        )
        rec["hows"].add(r["how"])
    return sorted(
        ({**v, "how": "; ".join(sorted(v["hows"]))} for v in out.values()),
        key=lambda v: v["label"],
    )


def cluster_dashboard(kg: KnowledgeGraph, iri: str) -> dict[str, Any] | None:
    """Everything the per-cluster page shows; ``None`` when ``iri`` is not a cluster."""
    facts = _cluster_facts(kg, iri)
    if not facts["head"]:
        return None
    head = facts["head"]
    label = next((str(r["label"]) for r in head if r["label"]), iri.rsplit("/", 1)[-1])
    G = gd.base_network(kg)
    members = [
        {"iri": n, "page": page_path(n), **{k: a.get(k) for k in ("label", "kind", "lat", "long")}}
        for n, a in G.nodes(data=True)
        if iri in (a.get("clusters") or [])
    ]
    by_kind: dict[str, list] = defaultdict(list)
    for m in sorted(members, key=lambda m: str(m["label"]).casefold()):
        by_kind[m["kind"] or "Other"].append(m)
    covered = {r["r"] for r in facts["regions"]}
    obs = [o for o in observations(kg) if o["area"] == iri or o["area"] in covered]
    area_labels = gd.labels(kg)
    series: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for o in obs:
        series[(o["indicator_label"], o["area"])].append(o)
    indicators = []
    for (ind, area), items in sorted(series.items()):
        items = sorted(items, key=lambda o: (o["period"] or "", o["obs"]))
        years = {o["period"] for o in items if o["period"]}
        indicators.append(
            {
                "indicator": ind,
                "area": area_labels.get(area, area.rsplit("/", 1)[-1]),
                "items": items,
                "chart": len(years) >= 2,
            }
        )
    return {
        "iri": iri,
        "slug": iri.rsplit("/", 1)[-1],
        "label": label,
        "notes": sorted({str(r["note"]) for r in head if r["note"]}),
        "quotes": _quotes(kg, facts["quotes"], iri, label),
        "regions": facts["regions"],
        "map": _map(facts["regions"], members),
        "members": dict(sorted(by_kind.items())),
        "member_count": len(members),
        "indicators": indicators,
        "policies": _policies(facts["policies"]),
        "collaborations": sorted(
            {(page_path(r["x"]), str(r["label"] or r["x"])) for r in facts["collabs"]},
            key=lambda t: t[1],
        ),
        "universities": sorted(
            {(page_path(r["u"]), str(r["label"] or r["u"])) for r in facts["unis"]},
            key=lambda t: t[1],
        ),
        "resilience": resilience_summary(kg, iri),
        "is_auto": iri in gd.AUTO_CLUSTERS,
    }


def resilience_summary(kg: KnowledgeGraph, iri: str) -> dict[str, Any]:
    """Single-sourced items, self-sufficiency, R-index and the most central firms of a cluster.

    Computed on the curated supply network (:mod:`clusterkg.analytics.resilience`): sourcing
    rows of the cluster's customers; the cluster's self-sufficiency row; the R-index
    (Schneider et al. 2011) of the cluster's part of the network (its members, their suppliers
    and customers) under degree-targeted removal; and PageRank (Brin & Page 1998) on the
    cluster view of the explorer.
    """

    def make() -> dict[str, Any]:
        # In a query worker, under the query time limit and the analysis caps (a store with a
        # large network of the user's own makes this as heavy as any analysis).
        summary: dict[str, Any] = kg.engine.call(
            an.cluster_resilience, gd.packed_supply(kg, "curated"), iri
        )
        view = gd.view(kg, gd.ViewSpec(view="cluster", cluster=iri))
        central = sorted(
            (n for n in view["nodes"] if n["kind"] != "IndustrialCluster"),
            key=lambda n: (-n["size"]["pagerank"], n["label"]),
        )[:5]
        summary["central"] = [
            {"label": n["label"], "page": page_path(n["id"]), "pagerank": n["size"]["pagerank"]}
            for n in central
        ]
        return summary

    try:
        return kg.cached(("resilience", iri), make)
    except (an.NetworkTooLarge, QueryTimeout, QueryTooLarge) as exc:
        # The rest of the dashboard is still worth showing: the section says why it is empty
        # (and nothing is cached, so a later visit on a quieter server may get it).
        return {"unavailable": str(exc)}


#: Questions the home page leads with: (question, link to the page that answers it, what
#: that page shows). IRIs are the curated graph's (graphs/*.ttl).
_CHANGAN = str(ID["enterprise/changan-automobile"])
_YIBIN = str(ID["region/yibin"])
_CHENGDU_CHONGQING = str(ID["cluster/chengdu-chongqing-auto"])


def questions() -> list[dict[str, Any]]:
    """The four questions of the home page, each with the page that answers it."""
    q = urlencode
    return [
        {
            "id": "deepest-parts-base",
            "question": "Which cluster has the deepest parts base?",
            "href": "/clusters#comparison",
            "answer": "the six automobile clusters compared: parts enterprises per vehicle "
            "enterprise, each count linked to its source",
            "more": [("as a named query", "/queries/deepest-parts-base")],
        },
        {
            "id": "who-supplies-changan",
            "question": "Who supplies Changan, and from where?",
            "href": "/queries/enterprise-suppliers?" + q({"customer": _CHANGAN}),
            "answer": "Changan Automobile's suppliers, what they supply, where they are, "
            "with the quote of each link",
            "more": [
                (
                    "on the map",
                    "/graph?" + q({"view": "map", "node": _CHANGAN, "sel": _CHANGAN}),
                )
            ],
        },
        {
            "id": "yibin-battery-failure",
            "question": "What fails if the battery plants in Yibin stop?",
            "href": "/graph?" + q({"view": "map", "failregion": _YIBIN}),
            "answer": "the failure scenario on the map: the stated supply network (which "
            "states no customer of CATL's Yibin base)",
            "more": [
                (
                    "modelled on the synthetic network",
                    "/graph?"
                    + q({"view": "synthetic", "cluster": _CHENGDU_CHONGQING, "failregion": _YIBIN}),
                )
            ],
        },
        {
            "id": "where-846",
            "question": "Where does a number (846) come from?",
            "href": "/queries/where-number-from?" + q({"value": "846"}),
            "answer": "every fact with that value, its verbatim quote and source document",
            "more": [],
        },
    ]
