"""The projection's node kinds against the ontology they name."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph
from rdflib.namespace import RDFS

from clusterkg.analytics.projection import ENTERPRISE_KINDS, KIND_ORDER
from clusterkg.vocab import CK

ONTOLOGY = Path(__file__).resolve().parents[2] / "ontology" / "clusterkg.ttl"


def test_enterprise_kinds_are_the_enterprise_classes_of_the_ontology():
    onto = Graph().parse(ONTOLOGY)
    below = {
        c.removeprefix(str(CK)) for c in onto.transitive_subjects(RDFS.subClassOf, CK.Enterprise)
    }
    # Every class of KIND_ORDER at or below ck:Enterprise, and no other, in KIND_ORDER's order.
    assert ENTERPRISE_KINDS == tuple(k for k in KIND_ORDER if k in below)
    assert "Enterprise" in ENTERPRISE_KINDS and "SupplierGroup" not in ENTERPRISE_KINDS
