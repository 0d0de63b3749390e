"""Rows of a private register (an internal supplier list): no quote required, and their facts
stay apart from the curated, quoted ones, by the ck:PrivateRegister class of their source."""

from __future__ import annotations

import gc

import pytest
from rdflib import URIRef
from rdflib.namespace import RDF

from clusterkg.io.csv_import import ImportFailed, import_csv
from clusterkg.store.backends import OxigraphBackend
from clusterkg.store.query_engine import QueryEngine
from clusterkg.vocab import CK

REGISTER = (
    "supplier,customer,item,annual_value_cny\n"
    "Example Cell Co.,Changan,battery cell,5000000\n"
    "Example Twin Motors A,Changan,drive motor,\n"
)
PREFIXES = """PREFIX ck: <https://w3id.org/clusterkg/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
"""


def test_links_without_quote_are_refused_unless_from_a_register(settings, tmp_path, write_csv):
    f = write_csv(tmp_path / "register.csv", REGISTER)
    with pytest.raises(ImportFailed) as exc:
        import_csv(f, "supply-links", settings)
    assert [(e.row, e.column) for e in exc.value.errors] == [(1, "quote")]
    for kind, flag in (("register-links", False), ("supply-links", True)):
        result = import_csv(f, kind, settings, private_register=flag)
        assert result.added == {"SupplyLink": 2}
        assert set(result.graph.subjects(RDF.type, CK.PrivateRegister)) == {URIRef(result.source)}
        assert not list(result.graph.triples((None, CK.quote, None)))


def test_the_register_class_is_what_lets_an_unquoted_link_pass_shacl(
    settings, tmp_path, write_csv, monkeypatch
):
    # Without the ck:PrivateRegister type on the source the shapes refuse the same rows.
    from clusterkg.io import csv_import

    real = csv_import.provenance

    def plain(*args, **kwargs):
        kwargs["private_register"] = False
        real(*args, **kwargs)

    monkeypatch.setattr(csv_import, "provenance", plain)
    f = write_csv(tmp_path / "register.csv", REGISTER)
    with pytest.raises(ImportFailed) as exc:
        import_csv(f, "register-links", settings)
    assert {e.row for e in exc.value.errors} == {2, 3}
    assert all("no verbatim quote" in e.reason for e in exc.value.errors)


def test_register_facts_are_queryably_apart_from_quoted_ones(settings, tmp_path, write_csv):
    store = tmp_path / "store"
    quoted = write_csv(
        tmp_path / "survey.csv",
        "supplier,customer,item,quote\n"
        "Example Twin Motors B,Changan,transmission,EXAMPLE: fictitious quoted survey row\n",
    )
    import_csv(quoted, "supply-links", settings, store=f"oxigraph:{store}")
    register = write_csv(tmp_path / "register.csv", REGISTER)
    import_csv(register, "register-links", settings, store=f"oxigraph:{store}")
    gc.collect()
    backend = OxigraphBackend(store)
    try:
        engine = QueryEngine(backend, row_limit=None)
        rows = engine.query(
            PREFIXES
            + """SELECT ?kind (COUNT(DISTINCT ?l) AS ?n) WHERE {
              ?l a ck:SupplyLink ; prov:wasDerivedFrom ?src .
              BIND(IF(EXISTS { ?src a ck:PrivateRegister }, "register",
                   IF(EXISTS { ?l ck:quote ?q }, "quoted", "other")) AS ?kind)
            } GROUP BY ?kind ORDER BY ?kind"""
        ).records()
    finally:
        backend.close()
    assert [(str(r["kind"]), int(r["n"])) for r in rows] == [("quoted", 1), ("register", 2)]


def test_an_import_into_a_store_without_the_bundled_graphs_says_to_load_them(
    settings, tmp_path, write_csv
):
    f = write_csv(tmp_path / "register.csv", REGISTER)
    result = import_csv(f, "register-links", settings, store=f"oxigraph:{tmp_path / 'store'}")
    assert "holds no bundled graphs" in result.summary()
    assert "clusterkg load DIR" in result.summary()
