"""Node positions for drawing a projected network: force-directed, geographic, tiered.

Every layout returns ``{node: (x, y)}`` scaled into the unit square ``[0, 1] x [0, 1]`` with
``y`` growing downwards (screen convention), so that the browser only multiplies by its size.

- ``force``: Fruchterman & Reingold (1991) spring embedding, ``networkx.spring_layout``,
  seeded so that a view looks the same on every reload.
- ``geo``: equirectangular projection of the WGS84 ``long``/``lat`` node attributes (the
  coordinates of a node's region, see :mod:`clusterkg.analytics.projection`); nodes that share
  a place are spread on a small circle around it, nodes without coordinates are placed in a
  row below the map.
- ``tiered``: layers from suppliers (left) to vehicle makers (right), drawn
  in one column per layer; a directed acyclic network uses its longest-path depth
  towards the customers (Sugiyama, Tagawa & Toda 1981 layer assignment), otherwise the layer
  comes from the node's class; columns as in ``networkx.multipartite_layout``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

import networkx as nx

LAYOUTS = ("force", "geo", "tiered")

Positions = dict[Any, tuple[float, float]]

#: Layer of a node class in the tiered layout of an undirected network (suppliers first).
KIND_LAYER = {
    "SupplierGroup": 0,
    "PartsSupplier": 0,
    "BatteryMaker": 1,
    "DriveMotorMaker": 1,
    "ElectronicsMaker": 1,
    "PowertrainMaker": 1,
    "Manufacturer": 1,
    "TechnologyCompany": 1,
    "ServiceCompany": 1,
    "Platform": 1,
    "EnterpriseGroup": 1,
    "Enterprise": 1,
    "ProductionSite": 2,
    "VehicleManufacturer": 3,
    "IndustrialCluster": 4,
    "IndustrialPark": 4,
    "University": 5,
    "ResearchInstitute": 5,
    "Policy": 5,
    "GovernmentBody": 5,
    "Association": 5,
}


def _normalise(pos: dict[Any, Any], margin: float = 0.04) -> Positions:
    """Scale positions into ``[margin, 1 - margin]`` keeping the aspect ratio."""
    if not pos:
        return {}
    xs = [float(p[0]) for p in pos.values()]
    ys = [float(p[1]) for p in pos.values()]
    span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    scale = (1 - 2 * margin) / span
    ox = margin + ((1 - 2 * margin) - (max(xs) - min(xs)) * scale) / 2
    oy = margin + ((1 - 2 * margin) - (max(ys) - min(ys)) * scale) / 2
    return {
        n: (
            round(ox + (float(p[0]) - min(xs)) * scale, 5),
            round(oy + (float(p[1]) - min(ys)) * scale, 5),
        )
        for n, p in pos.items()
    }


def _spring(G: nx.Graph, seed: int) -> Positions:
    """Seeded Fruchterman-Reingold positions of one connected graph, in the unit square."""
    U = G.to_undirected(as_view=True) if G.is_directed() else G
    k = 1.6 / math.sqrt(len(G)) if len(G) > 1 else None
    n = len(G)
    iterations = 80 if n <= 300 else 40 if n <= 800 else 12
    # Large graphs start from the tiered layout, so that few iterations already look ordered.
    start = {v: (2 * x - 1, 1 - 2 * y) for v, (x, y) in tiered(G).items()} if n > 300 else None
    pos = nx.spring_layout(U, seed=seed, k=k, pos=start, iterations=iterations)
    return _normalise({v: (p[0], -p[1]) for v, p in pos.items()})


def force(G: nx.Graph, seed: int = 7) -> Positions:
    """Seeded Fruchterman-Reingold positions (``networkx.spring_layout``), each connected
    component laid out on its own and the components packed in rows, largest first.

    A spring embedding of a disconnected graph pushes the components apart without bound
    (nothing attracts them), so after scaling each component would shrink to a point: an
    imported network beside the bundled one drew its 18 firms on one spot.
    """
    if len(G) == 0:
        return {}
    U = G.to_undirected(as_view=True) if G.is_directed() else G
    parts = sorted((sorted(c, key=str) for c in nx.connected_components(U)), key=len, reverse=True)
    if len(parts) == 1:
        return _spring(G, seed)
    # Each component gets a square cell whose side grows with the square root of its size.
    sides = [math.sqrt(len(c)) for c in parts]
    row_width = max(sum(sides) / math.ceil(math.sqrt(len(parts))), sides[0])
    pos: dict[Any, tuple[float, float]] = {}
    x = y = row_height = 0.0
    for comp, side in zip(parts, sides, strict=True):
        if x > 0 and x + side > row_width * 1.001:
            x, y, row_height = 0.0, y + row_height, 0.0
        inner = _spring(G.subgraph(comp), seed) if len(comp) > 1 else {comp[0]: (0.5, 0.5)}
        for v, (px, py) in inner.items():
            pos[v] = (x + 0.1 * side + 0.8 * side * px, y + 0.1 * side + 0.8 * side * py)
        x += side
        row_height = max(row_height, side)
    return _normalise(pos)  # already y-down, like the components' own positions


def geographic(G: nx.Graph) -> Positions:
    """Equirectangular ``(long, -lat)`` positions; co-located nodes spread on a circle.

    The longitude is scaled by ``cos`` of the mean latitude so that distances look right at
    China's latitudes. Nodes without coordinates go in a row below the map.
    """
    placed = {
        n: (float(a["long"]), float(a["lat"]))
        for n, a in G.nodes(data=True)
        if a.get("long") is not None and a.get("lat") is not None
    }
    if not placed:
        return force(G)
    mean_lat = sum(lat for _, lat in placed.values()) / len(placed)
    squeeze = math.cos(math.radians(mean_lat))
    xs = [lon * squeeze for lon, _ in placed.values()]
    ys = [-lat for _, lat in placed.values()]
    span = max(max(xs) - min(xs), max(ys) - min(ys), 1.0)
    by_place: dict[tuple[float, float], list] = defaultdict(list)
    for n in sorted(placed, key=str):
        by_place[placed[n]].append(n)
    pos: dict[Any, tuple[float, float]] = {}
    for (lon, lat), nodes in by_place.items():
        cx, cy = lon * squeeze, -lat
        if len(nodes) == 1:
            pos[nodes[0]] = (cx, cy)
            continue
        radius = span * 0.012 * math.sqrt(len(nodes))
        for i, n in enumerate(nodes):
            angle = 2 * math.pi * i / len(nodes)
            pos[n] = (cx + radius * math.cos(angle), cy + radius * math.sin(angle))
    rest = sorted((n for n in G if n not in placed), key=str)
    if rest:
        bottom = max(p[1] for p in pos.values()) + span * 0.08
        left = min(p[0] for p in pos.values())
        width = max(p[0] for p in pos.values()) - left or 1.0
        per_row = max(1, math.ceil(math.sqrt(len(rest) * 4)))
        for i, n in enumerate(rest):
            row, col = divmod(i, per_row)
            pos[n] = (left + width * col / max(per_row - 1, 1), bottom + row * span * 0.04)
    return _normalise(pos)


def layers(G: nx.Graph) -> dict[Any, int]:
    """The tier of every node: 0 for the most upstream suppliers, growing towards the OEMs."""
    if G.is_directed() and len(G) and nx.is_directed_acyclic_graph(G):
        # Longest path to a sink, counted from the sink: an OEM (sink) ends right.
        depth: dict[Any, int] = {}
        for n in reversed(list(nx.topological_sort(G))):
            succ = list(G.successors(n))
            depth[n] = 1 + max(depth[s] for s in succ) if succ else 0
        top = max(depth.values())
        return {n: top - d for n, d in depth.items()}
    if G.is_directed() and any(a.get("tier") is not None for _, a in G.nodes(data=True)):
        tiers = [a.get("tier") or 0 for _, a in G.nodes(data=True)]
        top = max(tiers)
        return {n: top - (a.get("tier") or 0) for n, a in G.nodes(data=True)}
    return {n: KIND_LAYER.get(a.get("kind") or "", 1) for n, a in G.nodes(data=True)}


def tiered(G: nx.Graph) -> Positions:
    """Suppliers on the left, vehicle makers on the right, one column per layer.

    Like ``networkx.multipartite_layout``, but each axis fills the frame on its own: a layer of
    hundreds of firms would otherwise squeeze the columns into a line.
    """
    if len(G) == 0:
        return {}
    layer = layers(G)
    columns: dict[int, list] = defaultdict(list)
    # Sorting inside a layer by label keeps the order stable and readable.
    for n in sorted(G, key=lambda n: (layer[n], str(G.nodes[n].get("label", n)))):
        columns[layer[n]].append(n)
    order = sorted(columns)
    margin = 0.04
    pos: Positions = {}
    for i, key in enumerate(order):
        x = margin + (1 - 2 * margin) * (i / (len(order) - 1) if len(order) > 1 else 0.5)
        col = columns[key]
        for j, n in enumerate(col):
            y = margin + (1 - 2 * margin) * ((j + 0.5) / len(col))
            pos[n] = (round(x, 5), round(y, 5))
    return pos


def compute(G: nx.Graph, layout: str) -> Positions:
    """Positions of ``G`` by the named layout (one of :data:`LAYOUTS`)."""
    if layout == "force":
        return force(G)
    if layout == "geo":
        return geographic(G)
    if layout == "tiered":
        return tiered(G)
    raise ValueError(f"unknown layout {layout!r}: use one of {', '.join(LAYOUTS)}")
