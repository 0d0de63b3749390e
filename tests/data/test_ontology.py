"""The ontology parses, is consistent under OWL 2 RL, and documents every term."""

from __future__ import annotations

import owlrl
from rdflib import Graph
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from clusterkg.vocab import CK, ONTOLOGY_IRI

CONTRACT_CLASSES = [
    "IndustrialCluster",
    "Enterprise",
    "VehicleManufacturer",
    "PartsSupplier",
    "University",
    "ResearchInstitute",
    "Policy",
    "Region",
    "Country",
    "Province",
    "City",
    "District",
    "EconomicRegion",
    "IndustrialPark",
    "Platform",
    "SupplyLink",
    "Observation",
    "Indicator",
    "SourceDocument",
]
CONTRACT_PROPERTIES = [
    "memberOf",
    "locatedIn",
    "partOf",
    "coversRegion",
    "sector",
    "supplier",
    "customer",
    "suppliedItem",
    "annualValueCNY",
    "issuedBy",
    "targets",
    "collaboratesWith",
    "indicator",
    "refArea",
    "refPeriod",
    "value",
    "unit",
    "quote",
    "fileName",
]
CONTRACT_INDICATORS = [
    "VehicleEnterpriseCount",
    "PartsEnterpriseCount",
    "VehicleOutput",
    "NEVOutput",
    "Revenue",
    "PublicChargingPiles",
    "CapacityUtilisation",
    "ProductionCapacity",
]


def ontology(settings) -> Graph:
    g = Graph()
    for path in sorted(settings.ontology_dir.glob("*.ttl")):
        if not path.name.startswith("shapes"):
            g.parse(path)
    return g


def test_contract_terms_exist_with_label_and_definition(settings):
    g = ontology(settings)
    for name in CONTRACT_CLASSES:
        assert (CK[name], RDF.type, OWL.Class) in g, name
    for name in CONTRACT_PROPERTIES:
        assert (CK[name], RDF.type, None) in g, name
    for name in CONTRACT_INDICATORS:
        assert (CK[name], RDF.type, CK.Indicator) in g, name
        assert g.value(CK[name], CK.unit) is not None, f"{name} has no unit"
    undocumented = [
        str(t)
        for t in set(g.subjects(RDF.type, None))
        if str(t).startswith(str(CK))
        and (g.value(t, RDFS.label) is None or g.value(t, SKOS.definition) is None)
    ]
    assert undocumented == []


def test_ontology_has_version_and_alignments(settings):
    g = ontology(settings)
    from rdflib import URIRef

    onto = URIRef(ONTOLOGY_IRI)
    assert g.value(onto, OWL.versionInfo) is not None
    assert (
        CK.Enterprise,
        RDFS.subClassOf,
        URIRef("http://www.w3.org/ns/org#FormalOrganization"),
    ) in g
    assert (
        CK.Observation,
        RDFS.subClassOf,
        URIRef("http://purl.org/linked-data/cube#Observation"),
    ) in g
    assert (CK.University, RDFS.subClassOf, URIRef("https://schema.org/CollegeOrUniversity")) in g
    assert (
        CK.SupplyLink,
        RDFS.subClassOf,
        URIRef(
            "https://spec.industrialontologies.org/ontology/supplychain/SupplyChain/SupplyChainRelationship"
        ),
    ) in g


def test_owl_rl_closure_of_ontology_and_data_is_consistent(settings):
    g = ontology(settings)
    for path in sorted(settings.graphs_dir.glob("*.ttl")):
        g.parse(path)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(g)
    assert list(g.subjects(RDF.type, OWL.Nothing)) == []
    # the closure did real work: subclass membership was inferred
    assert (None, RDF.type, CK.Enterprise) in g
