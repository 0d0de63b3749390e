"""The vocabularies an imported network needs: items and regions, extended from CSV, with
"did you mean" on a near miss; sector concepts refused where an item is expected."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS, SKOS

from clusterkg.io.csv_import import ImportFailed, import_csv
from clusterkg.store.backends import OxigraphBackend
from clusterkg.store.query_engine import QueryEngine
from clusterkg.vocab import CK, ID, WGS84

ONTOLOGY = Path(__file__).resolve().parents[2] / "ontology"

ITEMS = ID["scheme/components"]
HS = "https://w3id.org/clusterkg/id/hs2022/"
LINKS = "supplier,customer,item,quote\n"
QUOTE = "EXAMPLE: fictitious test row"


def _refused(settings, path: Path, text: str, kind: str) -> list:
    """Import ``text`` as ``kind`` (check only), which must fail; its problems."""
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ImportFailed) as exc:
        import_csv(path, kind, settings)
    return exc.value.errors


def _problems(errors: list) -> str:
    return "\n".join(str(e) for e in errors)


# ----- the item scheme -----
# The common inputs the issue names, each by the word a user types, and the concept it must be
# (written out by hand from ontology/schemes.ttl).
NEW_ITEMS = {
    "cathode": "cathode",
    "electrolyte": "electrolyte",
    "magnet": "magnet",
    "PCB": "pcb",
    "lithium": "lithium",
    "rare earth": "rare-earth",
    "steel": "steel",
    "battery cell": "battery-cell",
}


def test_common_inputs_are_items_with_definitions():
    g = Graph().parse(ONTOLOGY / "schemes.ttl")
    for slug in NEW_ITEMS.values():
        node = ID[f"component/{slug}"]
        assert (node, SKOS.inScheme, ITEMS) in g, slug
        assert g.value(node, SKOS.definition) is not None, slug


def test_hs_alignment_cites_only_listed_codes_with_their_wording():
    g = Graph().parse(ONTOLOGY / "schemes.ttl")
    mapped = {
        (str(s), str(o))
        for p in (SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch)
        for s, o in g.subject_objects(p)
    }
    # Spot checks against the HS 2022 nomenclature, by hand.
    assert (str(ID["component/power-battery"]), HS + "8507.60") in mapped
    assert (str(ID["component/pcb"]), HS + "8534") in mapped
    assert g.value(URIRef(HS + "8507.60"), SKOS.notation) == Literal("8507.60")
    assert g.value(URIRef(HS + "8534"), RDFS.label) == Literal("Printed circuits", lang="en")
    # Every target is a declared HS concept with a notation and a label (no invented codes).
    for _item, target in mapped:
        assert g.value(URIRef(target), SKOS.inScheme) == ID["scheme/hs2022"], target
        assert g.value(URIRef(target), SKOS.notation) is not None, target
        assert g.value(URIRef(target), RDFS.label) is not None, target
    # No alignment was made up for the items whose HS heading is not clear-cut.
    for slug in ("cathode", "electrolyte", "chips"):
        assert not any(s == str(ID[f"component/{slug}"]) for s, _ in mapped), slug


def test_supply_links_accept_the_new_items(settings, tmp_path, write_csv):
    rows = "".join(f"Example Cell Co.,Changan,{word},{QUOTE}\n" for word in NEW_ITEMS)
    f = write_csv(tmp_path / "links.csv", LINKS + rows)
    result = import_csv(f, "supply-links", settings)
    items = set(result.graph.objects(None, CK.suppliedItem))
    assert items == {ID[f"component/{slug}"] for slug in NEW_ITEMS.values()}


def test_a_sector_is_refused_as_item_and_the_error_lists_the_items(settings, tmp_path):
    row = f"Example Cell Co.,Changan,automobile manufacturing,{QUOTE}\n"
    errors = _refused(settings, tmp_path / "links.csv", LINKS + row, "supply-links")
    text = _problems(errors)
    assert "row 2, column item" in text
    assert "names no skos:Concept of id:scheme/components" in text
    # the sector it named, and which scheme that is in
    assert f"{ID['sector/automobile']} (skos:Concept of id:scheme/sectors)" in text
    valid = text.split("valid: ", 1)[1].split(";")[0].split(", ")
    assert {"power battery", "cathode", "steel", "PCB"} <= set(valid)
    assert "automobile manufacturing" not in valid
    assert "clusterkg import --kind items" in text


def test_an_indicator_is_not_an_item_either(settings, tmp_path):
    # ck:Indicator is a subclass of skos:Concept: before the scheme check it passed as an item.
    errors = _refused(
        settings,
        tmp_path / "links.csv",
        LINKS + f"Example Cell Co.,Changan,Employment,{QUOTE}\n",
        "supply-links",
    )
    assert "column item" in _problems(errors)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("cathod", "cathode (id:component/cathode)"),
        ("electrolite", "electrolyte (id:component/electrolyte)"),
        # the closest label of the concept is shown (ratio 0.79 against 0.74 for "rare earth")
        ("rare earth metals", "rare earths (id:component/rare-earth)"),
    ],
)
def test_near_miss_item_gets_did_you_mean(typed, meant, settings, tmp_path):
    errors = _refused(
        settings,
        tmp_path / "links.csv",
        LINKS + f"Example Cell Co.,Changan,{typed},{QUOTE}\n",
        "supply-links",
    )
    text = _problems(errors)
    assert "did you mean " in text
    suggestions = text.split("did you mean ", 1)[1].split("?")[0].split(" or ")
    assert meant in suggestions


def _store(path):
    gc.collect()  # an earlier handle of the folder must be freed first (RocksDB lock)
    backend = OxigraphBackend(path)
    return backend, QueryEngine(backend, row_limit=None)


def test_items_extend_the_scheme_and_links_then_use_them(settings, tmp_path, write_csv):
    store = tmp_path / "store"
    items = write_csv(
        tmp_path / "items.csv",
        "name_en,aliases,broader,code,definition\n"
        # refers to the next row: items are built in two passes
        "Example wet separator,wet separator,Example separator,EX-2,EXAMPLE: a fictitious item\n"
        "Example separator,,raw materials and components (unspecified),EX-1,EXAMPLE: fictitious\n",
    )
    result = import_csv(items, "items", settings, store=f"oxigraph:{store}")
    assert result.added == {"item": 2}
    links = write_csv(
        tmp_path / "links.csv", LINKS + f"Example Cell Co.,Changan,wet separator,{QUOTE}\n"
    )
    import_csv(links, "supply-links", settings, store=f"oxigraph:{store}")
    backend, engine = _store(store)
    try:
        rows = engine.query(
            """PREFIX ck: <https://w3id.org/clusterkg/ontology#>
            PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
            SELECT ?item ?code ?top WHERE {
              ?l ck:suppliedItem ?item . ?item skos:notation ?code ; skos:inScheme ?s ;
                 skos:broader/skos:broader ?top }"""
        ).records()
    finally:
        backend.close()
    assert [(str(r["item"]), str(r["code"]), str(r["top"])) for r in rows] == [
        (
            str(ID["component/example-wet-separator"]),
            "EX-2",
            str(ID["component/raw-materials-and-components"]),
        )
    ]


def test_items_refuse_a_sector_as_broader_and_a_name_taken(settings, tmp_path):
    errors = _refused(
        settings,
        tmp_path / "items.csv",  # an alias of component:pcb under a new IRI (printed-circuit-board)
        "name_en,broader\nExample gadget,automobile manufacturing\nprinted circuit board,\n",
        "items",
    )
    text = _problems(errors)
    assert "row 2, column broader" in text and "names no skos:Concept" in text
    assert "row 3, column name_en" in text and str(ID["component/pcb"]) in text


# ----- regions -----
def _unknown_regions(settings, tmp_path) -> dict[int, str]:
    """Row -> reason for two firms in regions the test graph lacks (a near miss, a typo)."""
    errors = _refused(
        settings,
        tmp_path / "firms.csv",
        "name_en,region\nExample A Co.,Chengdu City\nExample B Co.,Chongqin\n",
        "enterprises",
    )
    return {e.row: e.reason for e in errors}


def test_unknown_region_gets_did_you_mean(settings, tmp_path):
    lines = _unknown_regions(settings, tmp_path)
    assert "did you mean Chengdu (id:region/chengdu)?" in lines[2]
    assert "did you mean Chongqing (id:region/chongqing)?" in lines[3]
    assert "clusterkg import --kind regions" in lines[2]
    assert "valid:" not in lines[2]  # regions are too many to list


def test_regions_import_then_firms_are_located_there(settings, tmp_path, write_csv):
    store = tmp_path / "store"
    regions = write_csv(
        tmp_path / "regions.csv",
        "name_en,name_zh,type,parent,lat,long\n"
        "Ningde,宁德,City,Fujian Province,26.66,119.55\n"  # parent further down
        "Fujian Province,福建省,Province,,26.1,119.3\n",
    )
    result = import_csv(regions, "regions", settings, store=f"oxigraph:{store}")
    assert result.added == {"City": 1, "Province": 1}
    ningde, fujian = ID["region/ningde"], ID["region/fujian-province"]
    assert (ningde, CK.partOf, fujian) in result.graph
    assert {str(o) for o in result.graph.objects(ningde, WGS84.lat)} == {"26.66"}
    assert {str(o) for o in result.graph.objects(ningde, WGS84.long)} == {"119.55"}
    firms = write_csv(tmp_path / "firms.csv", "name_en,region\nExample Ningde Cells,宁德\n")
    done = import_csv(firms, "enterprises", settings, store=f"oxigraph:{store}")
    assert (ID["enterprise/example-ningde-cells"], CK.locatedIn, ningde) in done.graph


def test_region_parent_must_be_a_region(settings, tmp_path):
    errors = _refused(
        settings,
        tmp_path / "regions.csv",
        "name_en,parent\nExample Zone,Changan Automobile\n",
        "regions",
    )
    assert "row 2, column parent" in _problems(errors)
    assert "names no ck:Region" in _problems(errors)


def test_supplier_location_places_an_unplaced_supplier_and_must_agree(settings, tmp_path):
    header = "supplier,customer,item,supplier_location,quote\n"
    # base.ttl: Example Twin Motors A has no location, Example Cell Co. is in Chengdu.
    f = tmp_path / "links.csv"
    f.write_text(
        header
        + f"Example Twin Motors A,Changan,drive motor,Chongqing,{QUOTE}\n"
        + f"Example Cell Co.,Changan,battery cell,Chengdu,{QUOTE}\n",
        encoding="utf-8",
    )
    result = import_csv(f, "supply-links", settings)
    twin, cell = ID["enterprise/example-twin-a"], ID["enterprise/example-cell-co"]
    assert set(result.graph.objects(twin, CK.locatedIn)) == {ID["region/chongqing"]}
    assert set(result.graph.objects(cell, CK.locatedIn)) == set()  # already said, not repeated
    errors = _refused(
        settings,
        tmp_path / "bad.csv",
        header
        + f"Example Cell Co.,Changan,electrolyte,Chongqing,{QUOTE}\n"
        + f"Example Twin Motors A,Changan,drive motor,Chongqing,{QUOTE}\n"
        + f"Example Twin Motors A,Changan,magnet,Chengdu,{QUOTE}\n",
        "supply-links",
    )
    assert [(e.row, e.column) for e in errors] == [
        (2, "supplier_location"),
        (4, "supplier_location"),
    ]
    assert f"is located in {ID['region/chengdu']}, not {ID['region/chongqing']}" in errors[0].reason


def test_above_the_fuzzy_limit_near_misses_are_found_by_words_only(settings, tmp_path, monkeypatch):
    from clusterkg.io import references

    monkeypatch.setattr(references, "FUZZY_LIMIT", 0)  # as if the regions were a huge list
    lines = _unknown_regions(settings, tmp_path)
    assert "did you mean Chengdu (id:region/chengdu)?" in lines[2]  # the words still match
    assert "did you mean" not in lines[3]  # a misspelling needs the similarity ratio
