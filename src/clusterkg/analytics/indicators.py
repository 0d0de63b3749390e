"""Cluster indicators computed from the observations in the knowledge graph.

Nothing here is typed in: every number comes from ``ck:Observation`` nodes (``ck:indicator``,
``ck:refArea``, ``ck:value``) read through SPARQL. Definitions (docs/analytics.md):

- share of the national total: ``x_c / X`` where ``X`` is an observation of the same indicator
  for ``region/china``; when the sources give no national figure, the denominator is the sum
  over the clusters and ``basis`` says so;
- Herfindahl-Hirschman index of enterprises across clusters: ``sum_c (x_c / sum x)^2``;
- parts per vehicle enterprise: ``parts_c / vehicles_c``;
- location quotient of parts enterprises within the automobile industry (Isard 1960; Florence
  1948): ``LQ_c = (parts_c / auto_c) / (parts / auto)`` with ``auto = parts + vehicles``, the
  only LQ the counts allow (no all-industry enterprise counts per cluster are stated).
"""

from __future__ import annotations

from typing import Any, TypedDict

from clusterkg.analytics.projection import Queryable, select
from clusterkg.vocab import CK, ID

NATIONAL = str(ID["region/china"])
VEHICLES = str(CK.VehicleEnterpriseCount)
PARTS = str(CK.PartsEnterpriseCount)


class Observation(TypedDict):
    """One numeric ``ck:Observation`` as read by :func:`observations` (IRIs as strings)."""

    obs: str
    indicator: str
    area: str
    value: float
    period: str | None
    approximation: str | None
    source: str | None
    is_cluster: bool


def observations(kg: Queryable) -> list[Observation]:
    """Every observation with a numeric value: IRI, indicator, area, value, period, qualifier."""
    rows = select(
        kg,
        """SELECT ?obs ?ind ?area ?value ?period ?approx ?areaType ?src WHERE {
        ?obs a ck:Observation ; ck:indicator ?ind ; ck:refArea ?area ; ck:value ?value .
        OPTIONAL { ?obs prov:wasDerivedFrom ?src }
        OPTIONAL { ?obs ck:refPeriod ?period }
        OPTIONAL { ?obs ck:approximation ?approx }
        OPTIONAL { ?area a ck:IndustrialCluster . BIND(ck:IndustrialCluster AS ?areaType) } }""",
    )
    out: list[Observation] = []
    for r in rows:
        try:
            value = float(r["value"])
        except (TypeError, ValueError):
            continue
        out.append(
            {
                "obs": r["obs"],
                "indicator": r["ind"],
                "area": r["area"],
                "value": value,
                "period": str(r["period"]) if r["period"] is not None else None,
                "approximation": r["approx"],
                "source": r["src"],
                "is_cluster": r["areaType"] is not None,
            }
        )
    return out


def _latest(obs: list[Observation]) -> dict[tuple[str, str], Observation]:
    # One value per (indicator, area): the latest period, ties broken by observation IRI.
    best: dict[tuple[str, str], Observation] = {}
    for o in sorted(obs, key=lambda o: (o["period"] or "", o["obs"])):
        best[(o["indicator"], o["area"])] = o
    return best


def comparable_counts(obs: list[Observation]) -> tuple[dict[tuple[str, str], Observation], str]:
    """Vehicle and parts enterprise counts of clusters, all from one source document.

    Sources count differently (above designated size or not, rough counts), so the counts are
    taken from the one source that gives both counts for the most clusters (ties: the source
    IRI), never mixed. Returns ``{(indicator, cluster): observation}`` and the source.
    """
    per_source: dict[str, list[Observation]] = {}
    for o in obs:
        if o["is_cluster"] and o["indicator"] in (VEHICLES, PARTS):
            per_source.setdefault(o["source"] or "", []).append(o)
    best_src, best_n = "", -1
    best: dict[tuple[str, str], Observation] = {}
    for src in sorted(per_source):
        latest = _latest(per_source[src])
        both = {a for (i, a) in latest if i == VEHICLES} & {a for (i, a) in latest if i == PARTS}
        if len(both) > best_n:
            best_src, best_n = src, len(both)
            best = {k: v for k, v in latest.items() if k[1] in both}
    return best, best_src


class ClusterRow(TypedDict):
    """The indicators of one cluster (module docstring for the definitions)."""

    cluster: str
    label: str
    vehicle_enterprises: float | None
    parts_enterprises: float | None
    sources: list[str]
    vehicle_enterprises_share: float | None
    vehicle_enterprises_share_basis: str
    parts_enterprises_share: float | None
    parts_enterprises_share_basis: str
    parts_per_vehicle_enterprise: float | None
    parts_location_quotient: float | None


def _location_quotient(
    p: float | None, v: float | None, auto_p: float, auto_v: float
) -> float | None:
    """Isard's LQ of parts enterprises within the automobile industry (module docstring)."""
    if v is not None and p is not None and (v + p) and (auto_v + auto_p) and auto_p:
        return (p / (v + p)) / (auto_p / (auto_v + auto_p))
    return None


def cluster_indicators(kg: Queryable) -> dict[str, Any]:
    """Per-cluster enterprise counts, shares, HHI, parts-per-vehicle ratios and LQs.

    Returns ``{"clusters": [...], "hhi": {...}, "totals": {...}, "shares_of_national": [...]}``;
    every value names the observations it was computed from.
    """
    obs = observations(kg)
    latest, source = comparable_counts(obs)
    national_latest = _latest([o for o in obs if o["area"] == NATIONAL])
    labels = {
        r["c"]: str(r["l"])
        for r in select(
            kg,
            """SELECT ?c (MIN(?label) AS ?l) WHERE {
        ?c a ck:IndustrialCluster ; rdfs:label ?label } GROUP BY ?c""",
        )
    }
    counted = sorted(
        {a for (i, a), o in latest.items() if o["is_cluster"] and i in (VEHICLES, PARTS)}
    )
    # Per cluster, the vehicle and parts counts (None where the source gives none).
    counts: dict[str, dict[str, float | None]] = {}
    totals = {VEHICLES: 0.0, PARTS: 0.0}
    for c in counted:
        counts[c] = {}
        for ind in (VEHICLES, PARTS):
            o = latest.get((ind, c))
            counts[c][ind] = o["value"] if o else None
            totals[ind] += o["value"] if o else 0.0
    # Denominator of the shares: the national observation, else the sum over the clusters.
    denom: dict[str, float] = {}
    basis: dict[str, str] = {}
    for ind in (VEHICLES, PARTS):
        nat = national_latest.get((ind, NATIONAL))
        denom[ind] = nat["value"] if nat else totals[ind]
        basis[ind] = f"national observation {nat['obs']}" if nat else "sum of the clusters"

    def share(c: str, ind: str) -> float | None:
        x = counts[c][ind]
        return x / denom[ind] if x is not None and denom[ind] else None

    auto_v, auto_p = totals[VEHICLES], totals[PARTS]
    rows: list[ClusterRow] = []
    for c in counted:
        v, p = counts[c][VEHICLES], counts[c][PARTS]
        rows.append(
            {
                "cluster": c,
                "label": labels.get(c, c),
                "vehicle_enterprises": v,
                "parts_enterprises": p,
                "sources": sorted(
                    o["obs"] for o in (latest.get((VEHICLES, c)), latest.get((PARTS, c))) if o
                ),
                "vehicle_enterprises_share": share(c, VEHICLES),
                "vehicle_enterprises_share_basis": basis[VEHICLES],
                "parts_enterprises_share": share(c, PARTS),
                "parts_enterprises_share_basis": basis[PARTS],
                "parts_per_vehicle_enterprise": p / v if v and p is not None else None,
                "parts_location_quotient": _location_quotient(p, v, auto_p, auto_v),
            }
        )
    hhi: dict[str, float | None] = {}
    for key, ind in (("vehicle_enterprises", VEHICLES), ("parts_enterprises", PARTS)):
        shares = [
            x / totals[ind]
            for x in (counts[c][ind] for c in counted)
            if x is not None and totals[ind]
        ]
        hhi[key] = sum(s * s for s in shares) if shares else None
    return {
        "clusters": rows,
        "hhi": hhi,
        "counts_source": source,
        "totals": {"vehicle_enterprises": auto_v, "parts_enterprises": auto_p},
        "shares_of_national": shares_of_national(obs),
    }


def shares_of_national(obs: list[Observation]) -> list[dict[str, Any]]:
    """Every observation with a national observation of the same indicator (and period, where
    both state one), as a share of that national total."""
    national: dict[str, list[Observation]] = {}
    for o in obs:
        if o["area"] == NATIONAL:
            national.setdefault(o["indicator"], []).append(o)
    out = []
    for o in sorted(obs, key=lambda o: (o["indicator"], o["area"], o["period"] or "", o["obs"])):
        if o["area"] == NATIONAL or o["indicator"] not in national:
            continue
        same = [
            n
            for n in national[o["indicator"]]
            if o["period"] is None or n["period"] is None or n["period"] == o["period"]
        ]
        if len(same) != 1 or not same[0]["value"]:
            continue  # no unambiguous national figure to divide by
        out.append(
            {
                "obs": o["obs"],
                "indicator": o["indicator"],
                "area": o["area"],
                "period": o["period"],
                "value": o["value"],
                "national_obs": same[0]["obs"],
                "national_value": same[0]["value"],
                "share": o["value"] / same[0]["value"],
            }
        )
    return out
