"""The fictitious 18-firm network of tests/io/data/network imports with ``clusterkg import``
(regions, items, firms, a private register of links) into an ``oxigraph:DIR`` store, passes
SHACL, and holds what its README says: counts by hand, and the hand-worked single points of
failure and Yibin scenario, re-derived here from the imported links by a plain cascade."""

from __future__ import annotations

import gc
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from clusterkg.cli import main
from clusterkg.store.backends import OxigraphBackend
from clusterkg.store.query_engine import QueryEngine

NETWORK = Path(__file__).parent / "data" / "network"
ONTOLOGY = Path(__file__).resolve().parents[2] / "ontology"
PREFIXES = """PREFIX ck: <https://w3id.org/clusterkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
STEPS = (
    ("regions.csv", "regions"),
    ("items.csv", "items"),
    ("firms.csv", "enterprises"),
    ("links.csv", "register-links"),
)

# ----- the README's hand-worked answers (aliases) -----
SPOF = {
    "FX-OEM-1": {"FX-LITH-A", "FX-ELEC", "FX-STEEL", "FX-RARE", "FX-MAGNET"},
    "FX-OEM-2": {
        *("FX-LITH-A", "FX-ELEC", "FX-STEEL", "FX-RARE", "FX-MAGNET"),
        *("FX-PACK-A", "FX-MOTOR-A", "FX-PCB", "FX-CTRL"),
    },
}
YIBIN = {"FX-LITH-A", "FX-CATH-B", "FX-ELEC", "FX-CELL-Y", "FX-PACK-B"}
YIBIN_CASCADE = {"FX-CELL-N", "FX-PACK-A", "FX-OEM-1", "FX-OEM-2"}
NINGDE_CASCADE = {"FX-OEM-2"}


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """The store after the four imports, and the CLI outputs."""
    tmp = tmp_path_factory.mktemp("network")
    home = tmp / "home"
    home.mkdir()
    (home / "ontology").symlink_to(ONTOLOGY)
    shutil.copytree(NETWORK / "graphs", home / "graphs")
    env = {"CLUSTERKG_HOME": str(home), "CLUSTERKG_CACHE": str(tmp / "cache")}
    store = tmp / "store"
    # The bundled ontology and graphs first (as a user would, `clusterkg load DIR`): an import
    # into an empty folder would leave it without them, and then nothing loads them later.
    loaded = CliRunner().invoke(main, ["load", str(store)], env=env)
    assert loaded.exit_code == 0, loaded.output
    outputs = []
    for name, kind in STEPS:
        res = CliRunner().invoke(
            main,
            ["import", str(NETWORK / name), "--kind", kind, "--store", f"oxigraph:{store}"],
            env=env,
        )
        assert res.exit_code == 0, res.output
        outputs.append(res.output)
    gc.collect()  # the CLI's handle of the folder must be freed before reopening it
    backend = OxigraphBackend(store)
    yield QueryEngine(backend, row_limit=None), outputs
    backend.close()


def _rows(engine, query):
    return engine.query(PREFIXES + query).records()


def test_every_step_passes_shacl(imported):
    _engine, outputs = imported
    assert all("SHACL: conforms" in out for out in outputs), outputs
    assert not any("holds no bundled graphs" in out for out in outputs)  # loaded first
    assert "1 rows of regions" in outputs[0] and "2 rows of items" in outputs[1]
    assert "18 rows of enterprises" in outputs[2] and "25 rows of register-links" in outputs[3]


def test_counts_by_hand(imported):
    engine, _ = imported
    classes = _rows(
        engine,
        """SELECT ?c (COUNT(?f) AS ?n) WHERE { ?f a ?c ; rdfs:label ?l .
           FILTER(STRSTARTS(?l, "Fictitious ")) } GROUP BY ?c""",
    )
    assert {str(r["c"]).split("#")[1]: int(r["n"]) for r in classes} == {
        "Manufacturer": 4,
        "PartsSupplier": 4,
        "BatteryMaker": 4,
        "DriveMotorMaker": 2,
        "ElectronicsMaker": 2,
        "VehicleManufacturer": 2,
    }
    places = _rows(
        engine,
        """SELECT ?place (COUNT(?f) AS ?n) WHERE { ?f ck:locatedIn/rdfs:label ?place ;
           rdfs:label ?l . FILTER(STRSTARTS(?l, "Fictitious ") && LANG(?place) = "en") }
           GROUP BY ?place""",
    )
    assert {str(r["place"]): int(r["n"]) for r in places} == {
        "Yibin": 5,
        "Ningde": 4,
        "Chengdu": 6,
        "Chongqing": 3,
    }
    (links,) = _rows(
        engine,
        """SELECT (COUNT(?l) AS ?n) (SUM(?v) AS ?sum) (COUNT(DISTINCT ?i) AS ?items)
           (COUNT(?q) AS ?quotes) WHERE {
             ?l a ck:SupplyLink ; ck:annualValueCNY ?v ; ck:suppliedItem ?i ;
                prov:wasDerivedFrom ?src . ?src a ck:PrivateRegister .
             OPTIONAL { ?l ck:quote ?q } }""",
    )
    assert int(links["n"]) == 25 and int(links["items"]) == 12 and int(links["quotes"]) == 0
    assert Decimal(str(links["sum"])) == Decimal(2_790_000_000)
    (ningde,) = _rows(
        engine,
        """SELECT ?parent WHERE { ?n rdfs:label "Ningde"@en ; a ck:City ;
           ck:partOf/rdfs:label ?parent }""",
    )
    assert str(ningde["parent"]) == "Fujian"
    (lipf6,) = _rows(
        engine,
        """SELECT ?top WHERE { ?i skos:altLabel "LiPF6" ; skos:broader/skos:broader ?t .
           ?t rdfs:label ?top }""",
    )
    assert str(lipf6["top"]) == "lithium"


def _network(engine) -> tuple[dict[str, dict[str, set[str]]], set[str]]:
    """customer alias -> item -> supplier aliases, and every firm alias, from the store."""
    buys: dict[str, dict[str, set[str]]] = {}
    for r in _rows(
        engine,
        """SELECT ?s ?c ?i WHERE { ?l a ck:SupplyLink ; ck:supplier/skos:altLabel ?s ;
           ck:customer/skos:altLabel ?c ; ck:suppliedItem ?i }""",
    ):
        buys.setdefault(str(r["c"]), {}).setdefault(str(r["i"]), set()).add(str(r["s"]))
    firms = {
        str(r["a"])
        for r in _rows(
            engine, 'SELECT ?a WHERE { ?f skos:altLabel ?a . FILTER(STRSTARTS(?a, "FX-")) }'
        )
    }
    return buys, firms


def _cascade(buys, removed: set[str]) -> set[str]:
    """The README's rule: fail when every supplier of some one item bought has failed."""
    failed = set(removed)
    while True:
        more = {
            c
            for c, items in buys.items()
            if c not in failed and any(sup <= failed for sup in items.values())
        }
        if not more:
            return failed
        failed |= more


def test_hand_worked_answers_hold_on_the_imported_links(imported):
    engine, _ = imported
    buys, firms = _network(engine)
    assert len(firms) == 18
    spof = {oem: set() for oem in SPOF}
    for firm in firms - set(SPOF):
        for oem in SPOF:
            if oem in _cascade(buys, {firm}):
                spof[oem].add(firm)
    assert spof == SPOF
    assert _cascade(buys, YIBIN) - YIBIN == YIBIN_CASCADE
    battery_makers_in_yibin = {"FX-CELL-Y", "FX-PACK-B"}
    assert _cascade(buys, battery_makers_in_yibin) == battery_makers_in_yibin
    ningde = {"FX-LITH-B", "FX-CATH-A", "FX-CELL-N", "FX-PACK-A"}
    assert _cascade(buys, ningde) - ningde == NINGDE_CASCADE
