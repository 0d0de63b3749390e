"""Scenarios by selection, explained: intersection of criteria, why each OEM failed, the two
lost values, structured notes, and numbers as a person reads them."""

from __future__ import annotations

import pytest
from supply_chains import chain

from clusterkg.analytics import AnalyticsError
from clusterkg.analytics.numbers import human_amount
from clusterkg.analytics.projection import located_entities, supply_network
from clusterkg.analytics.scenarios import run_scenario, select_nodes
from clusterkg.vocab import ID

YIBIN = str(ID["region/yibin"])


def yibin_network():
    """Two battery plants and a parts maker in Yibin; OEM1 buys its battery only from
    BAT1, which buys its cathode only from CAT (in Shanghai); OEM2 buys from BAT1 or B3."""
    y = ["yibin", "sichuan"]
    return chain(
        [
            ("CAT", "BAT1", "cathode", 10.0),
            ("BAT1", "OEM1", "battery", 100.0),
            ("BAT2", "OEM1", "chassis", 40.0),
            ("PARTS", "OEM1", "chassis", 30.0),
            ("BAT1", "OEM2", "battery", 60.0),
            ("B3", "OEM2", "battery", 50.0),
        ],
        BAT1={"within": y, "kind": "BatteryMaker", "types": ["BatteryMaker", "PartsSupplier"]},
        BAT2={"within": y, "kind": "BatteryMaker", "types": ["BatteryMaker", "PartsSupplier"]},
        PARTS={"within": y, "kind": "PartsSupplier", "types": ["PartsSupplier"]},
        CAT={"within": ["shanghai"], "kind": "PartsSupplier", "types": ["PartsSupplier"]},
        B3={"within": ["shanghai"], "kind": "BatteryMaker", "types": ["BatteryMaker"]},
        OEM1={"oem": True, "cluster": "cc", "clusters": ["cc"], "kind": "VehicleManufacturer"},
        OEM2={"oem": True, "cluster": "yrd", "clusters": ["yrd"], "kind": "VehicleManufacturer"},
    )


def test_selection_is_the_intersection_of_the_criteria():
    G = yibin_network()
    both = select_nodes(G, regions=["yibin"], kinds=["BatteryMaker"])
    assert both["nodes"] == ["BAT1", "BAT2"] and both["count"] == 2
    assert both["by_kind"] == {"BatteryMaker": 2}
    # a superclass selects its subclasses
    assert select_nodes(G, regions=["yibin"], kinds=["PartsSupplier"])["count"] == 3
    assert select_nodes(G, kinds=["BatteryMaker"], clusters=["cc"])["count"] == 0
    assert select_nodes(G, firms=["BAT1", "CAT"], regions=["sichuan"])["nodes"] == ["BAT1"]
    with pytest.raises(AnalyticsError, match="unknown kind 'Battery'.*BatteryMaker"):
        select_nodes(G, kinds=["Battery"])
    with pytest.raises(AnalyticsError, match="cluster nowhere has no member"):
        select_nodes(G, clusters=["nowhere"])


def test_every_failed_oem_says_why_and_the_two_lost_values():
    G = yibin_network()
    rep = run_scenario(G, remove=["CAT"])
    d = rep.to_dict()
    # CAT -> BAT1 (cathode single-sourced) -> OEM1 (battery single-sourced); OEM2 keeps B3.
    assert rep.cascaded == ["BAT1", "OEM1"]
    (oem1,) = [a for a in d["affected_oems"] if a["failed"]]
    assert oem1["oem"] == "OEM1"
    assert oem1["why"] == {
        "removed": False,
        "item": "battery",
        "chain": [
            {"customer": "OEM1", "item": "battery", "supplier": "BAT1"},
            {"customer": "BAT1", "item": "cathode", "supplier": "CAT"},
        ],
    }
    assert [(f["node"], f["round"], f["item"]) for f in d["cascaded_firms"]] == [
        ("BAT1", 1, "cathode"),
        ("OEM1", 2, "battery"),
    ]
    # links out of failed firms: CAT->BAT1 10, BAT1->OEM1 100, BAT1->OEM2 60 (OEM1 sells none)
    assert d["lost_value_cny"] == 170.0
    assert d["lost_value_to_oems_cny"] == 160.0
    assert "double counts" in d["lost_value_explained"]


def test_removed_oem_and_selection_count_in_the_report():
    G = yibin_network()
    rep = run_scenario(G, remove_regions=["yibin"], kinds=["BatteryMaker"])
    assert rep.removed == ["BAT1", "BAT2"]  # PARTS stays: the kind filter is not dropped
    assert rep.selection["count"] == 2
    assert rep.cascaded == ["OEM1"]  # battery gone; chassis still from PARTS
    rep = run_scenario(G, remove=["OEM2", "nobody"], missing="note")
    assert rep.removed == ["OEM2"]
    (note,) = rep.note_details
    assert note["code"] == "not-in-network" and note["node"] == "nobody"
    assert note["alternative"] == "synthetic"


def test_curated_yibin_note_is_structured_with_the_network_that_answers(kg):
    G = supply_network(kg)
    rep = run_scenario(
        G,
        remove_regions=[YIBIN],
        kinds=["BatteryMaker"],
        located={YIBIN: located_entities(kg, YIBIN)},
    )
    codes = {n["code"]: n for n in rep.note_details}
    assert codes["nothing-located"]["region"] == YIBIN
    assert codes["nothing-located"]["alternative"] == "synthetic"
    assert rep.notes == [n["text"] for n in rep.note_details]
    assert rep.removed == []


def test_electronics_makers_in_yibin_on_the_synthetic_network(kg_2000):
    G = supply_network(kg_2000, "synthetic")
    rows = kg_2000.query(
        "PREFIX ck: <https://w3id.org/clusterkg/ontology#> SELECT DISTINCT ?f WHERE { "
        f"?f a ck:ElectronicsMaker ; ck:locatedIn ?r . ?r ck:partOf* <{YIBIN}> }}"
    ).records()
    expected = sorted(r["f"] for r in rows if r["f"] in G)
    in_region = select_nodes(G, regions=[YIBIN])["count"]
    sel = select_nodes(G, regions=[YIBIN], kinds=["ElectronicsMaker"])
    assert sel["nodes"] == expected and 0 < len(expected) < in_region


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (5.613e9, "5.6 billion CNY"),
        (5.613e7, "56.1 million CNY"),
        (5.613e8, "561 million CNY"),
        (84_500, "84,500 CNY"),
        (999_960_000, "1.0 billion CNY"),
        (-3.2e12, "-3.2 trillion CNY"),
        (0, "0 CNY"),
        (None, "unknown"),
    ],
)
def test_large_numbers_read_as_words(value, text):
    assert human_amount(value) == text


def test_losing_a_sole_cloud_provider_fails_no_oem(kg):
    # Huawei Cloud is the only supplier of digital platform services to four OEMs
    # (graphs/chengdu-chongqing-supply.ttl); a service is no production input.
    G = supply_network(kg)
    cloud = "https://w3id.org/clusterkg/id/enterprise/huawei-cloud"
    rep = run_scenario(G, remove=[cloud])
    assert rep.failed == [cloud]
    assert len(rep.affected_oems) == 4
    assert all(not r["failed"] and r["lost_suppliers"] == [cloud] for r in rep.affected_oems)


def test_a_site_matches_a_kind_by_its_operator():
    # S is the Yibin plant of OP (a BatteryMaker with no supply link of its own); B2 is a
    # battery maker elsewhere; P is another Yibin firm of another kind.
    G = chain(
        [("S", "OEM", "battery", 1.0), ("B2", "OEM", "battery", 1.0), ("P", "OEM", "trim", 1.0)],
        S={
            "kind": "ProductionSite",
            "types": ["ProductionSite"],
            "operator": "OP",
            "operator_types": ["BatteryMaker", "Enterprise", "PartsSupplier"],
            "within": ["yibin"],
        },
        B2={"kind": "BatteryMaker", "types": ["BatteryMaker"], "within": ["shanghai"]},
        P={"kind": "PartsSupplier", "types": ["PartsSupplier"], "within": ["yibin"]},
        OEM={"oem": True},
    )
    sel = select_nodes(G, regions=["yibin"], kinds=["BatteryMaker"])
    assert sel["nodes"] == ["S"]
    assert sel["via_operator"] == [{"site": "S", "operator": "OP"}]
    rep = run_scenario(G, remove_regions=["yibin"], kinds=["BatteryMaker"])
    assert rep.removed == ["S"]
    assert [d["code"] for d in rep.note_details] == ["via-operator"]
    # the site's own kind is accepted too
    assert select_nodes(G, regions=["yibin"], kinds=["ProductionSite"])["nodes"] == ["S"]


def test_curated_yibin_battery_makers_explain_the_empty_selection(kg):
    G = supply_network(kg)
    yibin = str(ID["region/yibin"])
    located = {yibin: located_entities(kg, yibin, "curated")}
    # ProductionSite is a class of the ontology: no linked site in the curated network is an
    # empty selection, not an unknown kind
    rep = run_scenario(G, remove_regions=[yibin], kinds=["ProductionSite"], located=located)
    (empty,) = [d for d in rep.note_details if d["code"] == "empty-selection"]
    assert str(ID["site/catl-yibin"]) in empty["text"]
    with pytest.raises(AnalyticsError, match="unknown kind 'Batterymaker'"):
        run_scenario(G, remove_regions=[yibin], kinds=["Batterymaker"])


def test_catl_yibin_is_a_battery_maker_plant_on_the_full_network(kg_2000):
    G = supply_network(kg_2000, "all")
    site = str(ID["site/catl-yibin"])
    assert "BatteryMaker" in G.nodes[site]["operator_types"]
    sel = select_nodes(G, regions=[str(ID["region/yibin"])], kinds=["BatteryMaker"])
    assert site in sel["nodes"]
    assert {"site": site, "operator": str(ID["enterprise/catl"])} in sel["via_operator"]


def test_a_firm_is_named_by_its_label_when_only_its_sites_are_in_the_network():
    from clusterkg.analytics.projection import resolve_nodes

    # S1 and S2 are plants of OP ("Op Corp"), which has no link of its own; "Other" is a node.
    G = chain(
        [("S1", "OEM", "battery", 1.0), ("S2", "OEM", "cell", 1.0), ("X", "OEM", "trim", 1.0)],
        S1={"operator": "OP", "operator_label": "Op Corp"},
        S2={"operator": "OP", "operator_label": "Op Corp"},
        X={"label": "Other"},
        OEM={"oem": True},
    )
    assert resolve_nodes(G, ["op corp", "Other"]) == ["OP", "X"]
    assert sorted(run_scenario(G, remove=resolve_nodes(G, ["Op Corp"])).removed) == ["S1", "S2"]
    # a node's own label wins over an operator's of the same name (a firm in the network
    # is what the name meant before operators were looked at)
    G.nodes["X"]["label"] = "Op Corp"
    assert resolve_nodes(G, ["Op Corp"]) == ["X"]


def test_curated_geely_names_its_sichuan_battery_site(kg):
    # graphs/chengdu-chongqing-supply.ttl: the power-battery link starts at site:geely-sichuan,
    # which ck:operatedBy ent:geely (rdfs:label "Geely"); Geely itself has no link.
    from clusterkg.analytics.projection import resolve_nodes

    G = supply_network(kg)
    assert resolve_nodes(G, ["Geely"]) == [str(ID["enterprise/geely"])]
    assert run_scenario(G, remove=resolve_nodes(G, ["Geely"])).removed == [
        str(ID["site/geely-sichuan"])
    ]
