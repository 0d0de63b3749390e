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
The components scheme (ontology/schemes.ttl) gives items as free concepts with no category,
so the service concepts among the bundled items are listed here, by their definitions:
:data:`SERVICE_ITEMS`. Every other item is a production input. Links of services are still
projected, counted in sourcing and lost supply value, and reported beside the single points of
failure (``service_dependencies``), but they never make a firm fail.

**Vehicle parts.** ``component:auto-parts`` and every concept narrower than it
(``skos:broader``, transitively: power battery, drive motor, transmission, ...).
"""

from __future__ import annotations

from collections.abc import Iterable

from clusterkg.vocab import ID

_C = str(ID["component/"])

#: The service concepts of the bundled components scheme: their definitions describe work
#: done for a customer, not goods that go into its product.
SERVICE_ITEMS = frozenset(
    {
        # "Building or operating an industrial internet, Internet of Vehicles, logistics or
        # cloud marketing platform for a customer."
        _C + "digital-platform-services",
        # "Technical services for textile enterprises (testing, design, process engineering)."
        _C + "textile-technology-services",
    }
)

#: The concept every vehicle part is narrower than (or is).
VEHICLE_PARTS = _C + "auto-parts"

#: Said beside the single points of failure and in scenarios.
SERVICES_RULE = (
    "services (" + ", ".join(sorted(i.rsplit("/", 1)[-1] for i in SERVICE_ITEMS)) + ") are "
    "dependencies, not production inputs: not counted as production failure, reported as "
    "service dependencies"
)


def is_service(item: str | None) -> bool:
    """Whether ``item`` is a service (:data:`SERVICE_ITEMS`), not a production input."""
    return item in SERVICE_ITEMS


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
