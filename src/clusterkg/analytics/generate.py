"""A calibrated synthetic national automobile supply network, clearly marked as synthetic.

The sources state few firm-to-firm links, so analysis at realistic scale needs a generated
network. The generator reads its calibration from the knowledge graph (never from constants):

- per cluster, the vehicle and parts enterprise counts (``ck:VehicleEnterpriseCount``,
  ``ck:PartsEnterpriseCount`` observations; 259 OEMs and 12,892 parts firms at scale 1.0);
- the regions each cluster covers (``ck:coversRegion``) and their cities, where firms are put;
- the battery plants of CATL and BYD (sites ``ck:operatedBy`` them, or the firms themselves).

Structure: tiers OEM (0) <- tier 1 (systems: motors, controls, transmissions, batteries, ...)
<- tier 2 (components, chips) <- tier 3 (materials). Suppliers are picked with probability
proportional to a Pareto(``alpha``) fitness, which gives heavy-tailed customer counts (Caldarelli
et al. 2002, fitness model); a pick stays in the buyer's cluster with probability
``in_cluster``. The stated dependences of the Chengdu-Chongqing cluster (source 002) are built in:
its OEMs buy drive motors, electronic controls and transmissions from outside the region with
probability ``cc_outside``, and batteries from the CATL/BYD plants.

Suppliers per item: each OEM first draws 1, 2 or 3 tier-1 suppliers per item with
probabilities ``suppliers_per_item`` (0.5/0.3/0.2). The counts give about 480 tier-1 firms per
item against 259 OEMs, so the rule that gives every idle supplier a customer (below) adds
links, and the REALISED distribution is far wider: at seed 0, scale 1.0, 23.6% of the OEM
items have one supplier, 27.6% two, 23.7% three and 25.1% four to ten. The
summary (``tier1_suppliers_per_item``) and the run's ``ck:note`` state the realised shares;
no supplier sells one item to one customer twice.

Real firms of the curated graph appear as parties of synthetic links only as battery anchors
(``curated_parties`` in the summary, named in the run's note): CATL's production sites and BYD
Battery. BYD itself is a vehicle maker there, so it is not an anchor (it would be an OEM with
no supplier); every OEM of the synthetic network is a generated tier-0 firm.

Output: TriG in the named graph ``https://w3id.org/clusterkg/graph/synthetic``; every node and
link is a ``ck:SyntheticEntity`` with ``ck:analysisRun`` pointing to a ``ck:AnalysisRun`` that
records the generator, seed and parameters. Only ``random.Random.random`` is used (its sequence
is stable across Python versions) and the text is written in generation order with no clock,
so the same seed and the same knowledge graph give the same bytes.
"""

from __future__ import annotations

import bisect
import json
import random
import sys
from dataclasses import asdict, dataclass, field
from typing import Any, TypedDict

from clusterkg.analytics import AnalyticsError
from clusterkg.analytics.indicators import PARTS, VEHICLES, comparable_counts, observations
from clusterkg.analytics.projection import Queryable, select
from clusterkg.version import __version__
from clusterkg.vocab import CK, ID, SYNTHETIC_GRAPH

GENERATOR = "clusterkg.analytics.generate/1"
C = str(ID["component/"])

#: Tier-1 systems every OEM buys, with the parts-supplier class of their makers.
TIER1_ITEMS = {
    "power-battery": "BatteryMaker",
    "drive-motor": "DriveMotorMaker",
    "electronic-control": "ElectronicsMaker",
    "transmission": "PowertrainMaker",
    "engine": "PowertrainMaker",
    "chassis": "PartsSupplier",
    "brake-system": "PartsSupplier",
    "on-board-charger": "ElectronicsMaker",
}
TIER2_ITEMS = {"auto-parts": "PartsSupplier", "chips": "ElectronicsMaker"}
TIER3_ITEM = "raw-materials-and-components"
#: Items the Chengdu-Chongqing OEMs buy almost entirely from outside the region (source 002).
CC_OUTSIDE_ITEMS = ("drive-motor", "electronic-control", "transmission")
CC_CLUSTER = str(ID["cluster/chengdu-chongqing-auto"])
BATTERY_OPERATORS = tuple(str(ID[f"enterprise/{n}"]) for n in ("catl", "byd", "byd-battery"))
#: Typical annual value of one supply link per tier of the supplier, in yuan.
BASE_VALUE = {1: 50_000_000, 2: 8_000_000, 3: 3_000_000}


@dataclass(frozen=True)
class Parameters:
    """Everything that shapes the network; recorded on the analysis run."""

    seed: int = 0
    scale: float = 1.0
    tier_shares: tuple[float, float, float] = (0.30, 0.45, 0.25)
    in_cluster: float = 0.80
    cc_outside: float = 0.95
    alpha: float = 1.5
    suppliers_per_item: tuple[float, ...] = (0.5, 0.3, 0.2)
    tier1_suppliers: tuple[int, int] = (2, 4)
    tier2_suppliers: tuple[int, int] = (1, 3)

    def to_json(self) -> str:
        return json.dumps({"generator": GENERATOR, **asdict(self)}, sort_keys=True)


@dataclass
class Calibration:
    """What the generator reads from the knowledge graph."""

    clusters: list[str]
    labels: dict[str, str]
    vehicles: dict[str, int]
    parts: dict[str, int]
    places: dict[str, list[list[str]]]
    battery_anchors: list[str]
    sources: list[str] = field(default_factory=list)


def calibration(kg: Queryable) -> Calibration:
    """Enterprise counts, regions and battery plants of the clusters, from the KG."""
    latest, _source = comparable_counts(observations(kg))
    clusters = sorted({a for (_i, a) in latest})
    if not clusters:
        raise AnalyticsError(
            "the knowledge graph has no cluster with both vehicle and parts "
            "enterprise counts: nothing to calibrate the generator to"
        )
    vehicles = {c: int(latest[(VEHICLES, c)]["value"]) for c in clusters}
    parts = {c: int(latest[(PARTS, c)]["value"]) for c in clusters}
    sources = sorted(latest[(i, c)]["obs"] for c in clusters for i in (VEHICLES, PARTS))
    labels = {
        r["c"]: str(r["l"])
        for r in select(
            kg,
            """SELECT ?c (MIN(?label) AS ?l) WHERE {
        ?c a ck:IndustrialCluster ; rdfs:label ?label } GROUP BY ?c""",
        )
    }
    covers: dict[str, list[str]] = {c: [] for c in clusters}
    for r in select(kg, "SELECT ?c ?r WHERE { ?c ck:coversRegion ?r }"):
        if r["c"] in covers:
            covers[r["c"]].append(r["r"])
    cities: dict[str, list[str]] = {}
    for r in select(kg, "SELECT ?city ?p WHERE { ?city a ck:City ; ck:partOf ?p }"):
        cities.setdefault(r["p"], []).append(r["city"])
    places = {
        c: [sorted(cities.get(p, [])) or [p] for p in sorted(covers[c])] or [[c]] for c in clusters
    }
    anchors = sorted(
        {
            r["s"]
            for r in select(
                kg,
                """SELECT ?s ?op WHERE {
        ?s a ck:ProductionSite ; ck:operatedBy ?op }""",
            )
            if r["op"] in BATTERY_OPERATORS
        }
    )
    with_site = {r["op"] for r in select(kg, "SELECT ?op WHERE { ?s ck:operatedBy ?op }")}
    existing = {
        r["e"]
        for r in select(
            kg, "SELECT DISTINCT ?e WHERE { ?e a ?t . ?t rdfs:subClassOf* ck:Enterprise }"
        )
    }
    # A vehicle maker is not a battery anchor, even one that makes batteries (BYD): in the
    # synthetic network it would be an OEM with no supplier of its own. Its battery arm (BYD
    # Battery, ck:subsidiaryOf BYD in the curated graph) supplies in its place.
    makers = {
        r["e"] for r in select(kg, "SELECT DISTINCT ?e WHERE { ?e a ck:VehicleManufacturer }")
    }
    anchors += [
        op
        for op in BATTERY_OPERATORS
        if op in existing and op not in with_site and op not in makers
    ]
    return Calibration(clusters, labels, vehicles, parts, places, sorted(anchors), sources)


class _Picker:
    """Weighted choice by cumulative fitness, driven only by ``Random.random``."""

    def __init__(self, items: list[str], weights: list[float]) -> None:
        self.items = items
        self.cum: list[float] = []
        total = 0.0
        for w in weights:
            total += w
            self.cum.append(total)

    def __bool__(self) -> bool:
        return bool(self.items)

    def pick(self, rng: random.Random) -> str:
        x = rng.random() * self.cum[-1]
        return self.items[min(bisect.bisect_right(self.cum, x), len(self.items) - 1)]

    def pick_distinct(self, rng: random.Random, m: int, exclude: set[str]) -> list[str]:
        out: list[str] = []
        for _ in range(m * 20):
            if len(out) >= m:
                break
            s = self.pick(rng)
            if s not in exclude and s not in out:
                out.append(s)
        return out


class _Firm(TypedDict):
    """One generated firm, as the later stages (pickers, links, summary) read it."""

    cluster: str
    tier: int  # 0 = vehicle manufacturer, 1-3 = supplier tier
    item: str  # what it supplies; "" for a vehicle manufacturer, which only buys
    fitness: float  # the fitness-model weight with which buyers pick it


def tier1_distribution(counts: list[int]) -> dict[str, Any]:
    """Shares of OEM items with 1, 2, 3 and 4 or more tier-1 suppliers, and the largest
    count: what the network realises, which the initial draw alone does not determine."""
    n = len(counts) or 1
    out: dict[str, Any] = {
        "1": sum(1 for c in counts if c == 1) / n,
        "2": sum(1 for c in counts if c == 2) / n,
        "3": sum(1 for c in counts if c == 3) / n,
        "4+": sum(1 for c in counts if c >= 4) / n,
    }
    out["max"] = max(counts, default=0)
    return out


def _draw(rng: random.Random, probs: tuple[float, ...]) -> int:
    x, acc = rng.random(), 0.0
    for i, p in enumerate(probs):
        acc += p
        if x < acc:
            return i + 1
    return len(probs)


def _between(rng: random.Random, lo: int, hi: int) -> int:
    return lo + min(int(rng.random() * (hi - lo + 1)), hi - lo)


def _slug(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


class _Writer:
    """Collects TriG lines with the clusterkg prefixes, in generation order."""

    def __init__(self, run: str) -> None:
        self.run = run
        self.lines: list[str] = []

    def node(self, iri: str, *pairs: tuple[str, str]) -> None:
        body = " ;\n    ".join(f"{p} {o}" for p, o in pairs)
        self.lines.append(f"<{iri}> {body} ;\n    ck:analysisRun <{self.run}> .")


def _lit(text: str) -> str:
    return json.dumps(text, ensure_ascii=False) + "@en"


def generate(
    kg: Queryable,
    params: Parameters | None = None,
    *,
    progress: bool = False,
) -> tuple[str, dict[str, Any]]:
    """The synthetic network as TriG text, and a summary (counts per cluster and tier)."""
    p = params or Parameters()
    if p.scale <= 0:
        raise AnalyticsError(f"--scale must be positive, got {p.scale}")
    cal = calibration(kg)
    rng = random.Random(p.seed)
    scale_tag = f"{p.scale:g}".replace(".", "_")
    run = str(ID[f"run/generate-seed-{p.seed}-scale-{scale_tag}"])
    base = str(ID[f"synthetic/s{p.seed}-x{scale_tag}/"])
    w = _Writer(run)
    firms: dict[str, _Firm] = {}
    by_pool: dict[tuple[int, str, str], list[str]] = {}
    counter = {"firm": 0, "link": 0}

    def new_firm(cluster: str, tier: int, item: str | None, kind: str) -> str:
        counter["firm"] += 1
        iri = f"{base}firm-{counter['firm']:05d}"
        group = cal.places[cluster][int(rng.random() * len(cal.places[cluster]))]
        region = group[int(rng.random() * len(group))]
        fitness = (1.0 - rng.random()) ** (-1.0 / p.alpha)
        firms[iri] = {"cluster": cluster, "tier": tier, "item": item or "", "fitness": fitness}
        by_pool.setdefault((tier, item or "", cluster), []).append(iri)
        what = "vehicle manufacturer" if tier == 0 else f"tier-{tier} supplier"
        if item:
            what += f" of {item.replace('-', ' ')}"
        where = cal.labels.get(cluster, _slug(cluster))
        label = f"Synthetic {what} {counter['firm']:05d} ({where})"
        w.node(
            iri,
            ("a", f"ck:{kind} , ck:SyntheticEntity"),
            ("rdfs:label", _lit(label)),
            ("ck:memberOf", f"<{cluster}>"),
            ("ck:locatedIn", f"<{region}>"),
            ("ck:tier", str(tier)),
            ("ck:synthetic", "true"),
        )
        return iri

    for c in cal.clusters:
        n_oem = max(1, round(cal.vehicles[c] * p.scale))
        n_parts = max(3, round(cal.parts[c] * p.scale))
        t1 = max(1, round(n_parts * p.tier_shares[0]))
        t2 = max(1, round(n_parts * p.tier_shares[1]))
        t3 = max(1, n_parts - t1 - t2)
        for _ in range(n_oem):
            new_firm(c, 0, None, "VehicleManufacturer")
        items1, items2 = list(TIER1_ITEMS), list(TIER2_ITEMS)
        for i in range(t1):
            item = items1[i % len(items1)]
            new_firm(c, 1, item, TIER1_ITEMS[item])
        for i in range(t2):
            item = items2[i % len(items2)]
            new_firm(c, 2, item, TIER2_ITEMS[item])
        for _ in range(t3):
            new_firm(c, 3, TIER3_ITEM, "PartsSupplier")
    if progress:
        print(f"generate: {len(firms)} firms", file=sys.stderr)

    pickers: dict[tuple[int, str, str], _Picker] = {}

    def picker(tier: int, item: str, clusters: list[str]) -> _Picker:
        key = (tier, item, "|".join(clusters))
        if key not in pickers:
            pool = [f for c in clusters for f in by_pool.get((tier, item, c), [])]
            pickers[key] = _Picker(pool, [firms[f]["fitness"] for f in pool])
        return pickers[key]

    others = {c: [o for o in cal.clusters if o != c] for c in cal.clusters}
    has_customer: set[str] = set()
    anchors = [a for a in cal.battery_anchors]
    anchored: list[int] = []  # supplier counts of the OEM items bought from the anchors

    def link(supplier: str, customer: str, item: str, tier: int) -> None:
        counter["link"] += 1
        has_customer.add(supplier)
        value = BASE_VALUE[tier] * (1.0 - rng.random()) ** (-1.0 / 2.5)
        value = int(round(value, -4))
        w.node(
            f"{base}supply-{counter['link']:06d}",
            ("a", "ck:SupplyLink , ck:SyntheticEntity"),
            ("ck:supplier", f"<{supplier}>"),
            ("ck:customer", f"<{customer}>"),
            ("ck:suppliedItem", f"<{C}{item}>"),
            ("ck:annualValueCNY", f'"{value}"^^xsd:decimal'),
            ("ck:synthetic", "true"),
        )

    #: (customer, item) -> suppliers already linked: no supplier sells one item twice to one
    #: customer (a tier-1 firm buys from 2-4 tier-2 firms, drawing an item each time).
    bought: dict[tuple[str, str], set[str]] = {}

    def buy(customer: str, item: str, tier: int, m: int, outside_p: float) -> None:
        c = firms[customer]["cluster"]
        have = bought.setdefault((customer, item), set())
        chosen: list[str] = []
        for _ in range(m):
            outside = rng.random() < outside_p
            pk = picker(tier, item, others[c] if outside and others[c] else [c])
            if not pk:
                pk = picker(tier, item, cal.clusters)
            chosen += pk.pick_distinct(rng, 1, have | set(chosen))
        for s in chosen:
            have.add(s)
            link(s, customer, item, tier)

    oem_list = [f for f, a in firms.items() if a["tier"] == 0]
    for o in oem_list:
        cc = firms[o]["cluster"] == CC_CLUSTER
        for item in TIER1_ITEMS:
            m = _draw(rng, p.suppliers_per_item)
            if cc and item == "power-battery" and anchors:
                picks = (
                    anchors if m >= len(anchors) else [anchors[int(rng.random() * len(anchors))]]
                )
                for anchor in sorted(set(picks)):
                    link(anchor, o, item, 1)
                anchored.append(len(set(picks)))
                continue
            outside_p = p.cc_outside if cc and item in CC_OUTSIDE_ITEMS else 1 - p.in_cluster
            buy(o, item, 1, m, outside_p)
    for f, a in list(firms.items()):
        if a["tier"] == 1:
            for _ in range(_between(rng, *p.tier1_suppliers)):
                item = list(TIER2_ITEMS)[int(rng.random() * len(TIER2_ITEMS))]
                buy(f, item, 2, 1, 1 - p.in_cluster)
    for f, a in list(firms.items()):
        if a["tier"] == 2:
            buy(f, TIER3_ITEM, 3, _between(rng, *p.tier2_suppliers), 1 - p.in_cluster)
    # Every supplier sells to someone: a firm no buyer picked gets one customer of the tier
    # above in its own cluster (the fitness model alone leaves many low-fitness firms idle).
    buyers_by: dict[tuple[int, str], list[str]] = {}
    for f, a in firms.items():
        buyers_by.setdefault((a["tier"], a["cluster"]), []).append(f)
    not_from_home = set(CC_OUTSIDE_ITEMS) | ({"power-battery"} if anchors else set())
    for f, a in firms.items():
        if a["tier"] == 0 or f in has_customer:
            continue
        home = [a["cluster"]]
        if a["cluster"] == CC_CLUSTER and a["tier"] == 1 and a["item"] in not_from_home:
            home = others[CC_CLUSTER]  # the region's own OEMs do not buy these (source 002)
        buyers = [b for c in home for b in buyers_by.get((a["tier"] - 1, c), [])] or [
            b for c in cal.clusters for b in buyers_by.get((a["tier"] - 1, c), [])
        ]
        buyer = buyers[int(rng.random() * len(buyers))]
        bought.setdefault((buyer, a["item"]), set()).add(f)
        link(f, buyer, a["item"], a["tier"])
    realised = tier1_distribution(
        [len(sups) for (b, _i), sups in bought.items() if b in firms and firms[b]["tier"] == 0]
        + anchored
    )
    if progress:
        print(f"generate: {counter['link']} supply links", file=sys.stderr)

    run_pairs = [
        ("a", "ck:AnalysisRun , prov:Activity"),
        (
            "rdfs:label",
            _lit(
                f"Synthetic national automobile supply network (seed {p.seed}, scale {p.scale:g})"
            ),
        ),
        ("ck:parameters", json.dumps(p.to_json())),
        ("ck:softwareVersion", json.dumps(__version__)),
        ("ck:synthetic", "true"),
        (
            "ck:note",
            _lit(
                "Generated, not taken from a source: calibrated to the enterprise "
                "counts of the observations this run used (prov:used). Realised tier-1 "
                "suppliers per OEM and item (the draw "
                + "/".join(f"{x:g}" for x in p.suppliers_per_item)
                + " over 1..n, then every idle supplier given a customer): "
                + ", ".join(f"{k}: {v:.1%}" for k, v in realised.items() if k != "max")
                + f" (at most {realised['max']}). Real firms of the curated graph that are "
                "parties here: " + (", ".join(anchors) if anchors else "none") + "."
            ),
        ),
    ]
    if cal.sources:
        run_pairs.append(("prov:used", " , ".join(f"<{s}>" for s in cal.sources)))
    head = [
        f"@prefix {k}: <{v}> ."
        for k, v in (
            ("ck", str(CK)),
            ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
            ("prov", "http://www.w3.org/ns/prov#"),
            ("xsd", "http://www.w3.org/2001/XMLSchema#"),
        )
    ]
    body = f"<{run}> " + " ;\n    ".join(f"{k} {v}" for k, v in run_pairs) + " ."
    text = (
        "\n".join(head) + f"\n\n<{SYNTHETIC_GRAPH}> {{\n{body}\n\n" + "\n".join(w.lines) + "\n}\n"
    )
    summary = {
        "run": run,
        "seed": p.seed,
        "scale": p.scale,
        "firms": len(firms),
        "links": counter["link"],
        "battery_anchors": anchors,
        "curated_parties": anchors,
        "duplicate_links": 0,
        "tier1_suppliers_per_item": realised,
        "per_cluster": {
            c: {
                "oems": sum(1 for a in firms.values() if a["cluster"] == c and a["tier"] == 0),
                "parts": sum(1 for a in firms.values() if a["cluster"] == c and a["tier"] > 0),
                "source_oems": cal.vehicles[c],
                "source_parts": cal.parts[c],
            }
            for c in cal.clusters
        },
    }
    return text, summary


def load_synthetic(
    kg: Any,
    params: Parameters | None = None,
    *,
    progress: bool = False,
) -> dict[str, Any]:
    """Generate the network and put it into the store's synthetic graph (replacing it)."""
    text, summary = generate(kg, params, progress=progress)
    kg.backend.drop_graph(str(SYNTHETIC_GRAPH))
    kg.backend.load_data(text.encode(), "trig", None)
    # The store's default graph is the merge of its loaded graphs (clusterkg.store.graph_files);
    # analytics still tell the graphs apart with GRAPH ?g.
    kg.backend.merge_into_default(str(SYNTHETIC_GRAPH))
    return summary
