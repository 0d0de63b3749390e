"""RML/YARRRML import through morph-kgc (the optional extra clusterkg[rml])."""

from __future__ import annotations

import pytest
from rdflib import URIRef

from clusterkg.io.csv_import import ImportFailed
from clusterkg.io.rml import available, import_mapping
from clusterkg.vocab import CK

pytestmark = pytest.mark.skipif(
    not available(),
    reason="morph-kgc is not installed: it is the optional extra "
    "clusterkg[rml] (pip install 'clusterkg[rml]'), not part of the test dependencies",
)

MAPPING = """prefixes:
  ck: https://w3id.org/clusterkg/ontology#
  rdfs: http://www.w3.org/2000/01/rdf-schema#
mappings:
  firms:
    sources:
      - ['firms.csv~csv']
    s: https://w3id.org/clusterkg/id/enterprise/$(id)
    po:
      - [a, ck:Enterprise]
      - [rdfs:label, $(name), en~lang]
      - [ck:memberOf, https://w3id.org/clusterkg/id/cluster/$(cluster)~iri]
"""


def test_mapping_of_joined_layout_imports_after_validation(settings, tmp_path):
    (tmp_path / "firms.csv").write_text(
        "id,name,cluster\nfoo,Foo Co,cc-auto\nbar,Bar Co,cc-auto\n", encoding="utf-8"
    )
    (tmp_path / "map.yml").write_text(MAPPING, encoding="utf-8")
    target = tmp_path / "out.ttl"
    result = import_mapping(tmp_path / "map.yml", settings, into=target)
    foo = URIRef("https://w3id.org/clusterkg/id/enterprise/foo")
    assert (
        foo,
        CK.memberOf,
        URIRef("https://w3id.org/clusterkg/id/cluster/cc-auto"),
    ) in result.graph
    assert result.added == {"Enterprise": 2}
    assert target.exists()


def test_mapping_output_that_breaks_a_shape_is_refused(settings, tmp_path):
    (tmp_path / "firms.csv").write_text("id,name,cluster\nfoo,Foo Co,chengdu\n", encoding="utf-8")
    (tmp_path / "map.yml").write_text(
        MAPPING.replace("cluster/$(cluster)", "region/$(cluster)"), encoding="utf-8"
    )
    target = tmp_path / "out.ttl"
    with pytest.raises(ImportFailed) as info:
        import_mapping(tmp_path / "map.yml", settings, into=target)
    assert any(
        "ck:memberOf must point to a ck:IndustrialCluster" in e.reason for e in info.value.errors
    )
    assert not target.exists()
