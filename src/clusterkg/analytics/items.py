"""What a supplied item is, for the failure rules: a production input or a service, and whether
it is a vehicle part. Kept in one place so that the cascade, the single points of failure and
the OEM rule read the same classification (docs/analytics.md, "Production inputs and
services").

**Production inputs and services.** The AND cascade stops a firm's production when one of its
inputs loses every supplier (Buldyrev et al. 2010). That holds for what goes into the product:
parts, modules, materials, machines (the bill of materials of the supply-chain literature:
Tang 2006; Sheffi 2005 distinguishes these from the services around production). A service
bought from one provider (a cloud marketing platform, an Internet-of-Vehicles or industrial
internet platform, technical consulting) is a dependency, but its loss does not stop the
assembly line the data describes, and the sources say nothing of how fast it could be replaced.
The components scheme (ontology/schemes.ttl) says which items are services: every concept
narrower than ``component:services`` (``skos:broader``, transitively), today digital platform
services and textile technology services, by their definitions. A user's own scheme adds its
services the same way. The projection of a supply network records them
(``G.graph["services"]``, :func:`services_of`); every other item is a production input. Links
of services are still projected, counted in sourcing and lost supply value, and reported beside
the single points of failure (``service_dependencies``), but they never make a firm fail.

**Vehicle parts.** ``component:auto-parts`` and every concept narrower than it
(``skos:broader``, transitively: power battery, drive motor, transmission, ...).
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

from clusterkg.vocab import ID

_C = str(ID["component/"])

#: The concept every service is narrower than (or is).
SERVICES = _C + "services"

#: The concept every vehicle part is narrower than (or is).
VEHICLE_PARTS = _C + "auto-parts"

#: Said beside the single points of failure and in scenarios.
SERVICES_RULE = (
    "services (items narrower than component:services in the components scheme) are "
    "dependencies, not production inputs: not counted as production failure, reported as "
    "service dependencies"
)


def services_of(broader: dict[str, set[str]]) -> frozenset[str]:
    """The service items of a scheme: ``component:services`` and every concept narrower than
    it, with ``broader`` mapping each item to every concept it is transitively narrower than."""
    return frozenset({SERVICES, *(i for i, up in broader.items() if SERVICES in up)})


def is_service(item: str | None, G: nx.DiGraph) -> bool:
    """Whether ``item`` is a service of ``G``'s scheme (``G.graph["services"]``, set by the
    projection; a network built by hand states its own), not a production input."""
    return item is not None and item in G.graph.get("services", (SERVICES,))


def is_vehicle_part(item: str | None, broader: dict[str, set[str]]) -> bool:
    """Whether ``item`` is ``component:auto-parts`` or narrower, with ``broader`` mapping each
    item to every concept it is transitively narrower than."""
    return item is not None and (item == VEHICLE_PARTS or VEHICLE_PARTS in broader.get(item, ()))


def vehicle_maker_group(
    kind: str | None,
    bought: Iterable[str | None],
    sold: Iterable[str | None],
    broader: dict[str, set[str]],
) -> bool:
    """Whether an enterprise group is a group of vehicle makers, and so counts as an OEM: a
    ``ck:EnterpriseGroup`` that is no ``ck:SupplierGroup``, buys some vehicle part and sells
    none (a customer of vehicle-making kind: it assembles the parts it buys). The sources give
    such groups as aggregates ("the NEV makers of the Chengdu-Chongqing economic circle", "the
    complete vehicle manufacturers of Chengdu and Chongqing"); a dealers' group buys vehicles,
    not parts, and a group that sells parts is a parts maker."""
    return (
        kind == "EnterpriseGroup"
        and any(is_vehicle_part(i, broader) for i in bought)
        and not any(is_vehicle_part(i, broader) for i in sold)
    )
