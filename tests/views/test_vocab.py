"""The one IRI shortener and the one IRI-to-page-path helper (expected values by hand)."""

from __future__ import annotations

from clusterkg.vocab import curie, local_name, page_path

CK = "https://w3id.org/clusterkg/ontology#"
ID = "https://w3id.org/clusterkg/id/"


def test_curie_of_known_and_unknown_namespaces():
    assert curie(CK + "Enterprise") == "ck:Enterprise"
    assert curie(ID + "enterprise/catl") == "id:enterprise/catl"
    assert curie("http://www.w3.org/2000/01/rdf-schema#label") == "rdfs:label"
    assert curie("https://example.org/x") == "https://example.org/x"
    # A namespace on its own has no local part to show.
    assert curie(CK) == CK
    assert curie(ID + "x", {"res": ID}) == "res:x"


def test_page_path_only_for_clusterkg_resources():
    assert page_path(ID + "enterprise/catl") == "/id/enterprise/catl"
    assert page_path(CK + "Enterprise") is None
    assert page_path(None) is None


def test_local_name():
    assert local_name(ID + "enterprise/catl") == "catl"
    assert local_name(CK + "Enterprise") == "Enterprise"
    assert local_name("https://example.org/a/b/") == "b"
