"""Single points of failure under the AND cascade: hand-worked graphs and a brute-force check."""

from __future__ import annotations

import networkx as nx
from supply_chains import chain

from clusterkg.analytics.projection import supply_network
from clusterkg.analytics.resilience import critical_nodes
from clusterkg.analytics.single_points import report, single_points_of_failure


def sole_battery_network() -> nx.DiGraph:
    """OEM buys its battery only from B (which buys cathode only from X) and chassis from C1
    or C2; C1 buys its steel only from B."""
    return chain(
        [
            ("X", "B", "cathode", 7.0),
            ("B", "OEM", "battery", 100.0),
            ("B", "C1", "steel", 5.0),
            ("C1", "OEM", "chassis", 30.0),
            ("C2", "OEM", "chassis", 20.0),
        ],
        OEM={"oem": True, "within": ["chengdu", "sichuan"], "clusters": ["cc"], "cluster": "cc"},
        X={"within": ["yibin", "sichuan"]},
        B={"within": ["yibin", "sichuan"]},
        C2={"within": ["shanghai"]},
    )


def test_or_connectivity_two_yet_single_points_under_and():
    G = sole_battery_network()
    # OR view: cutting the OEM off the supply base {X, C2} takes two firms ({B, C2} or
    # {X, C2}), and no firm lies on every path (C2 -> OEM avoids X and B).
    (crit,) = critical_nodes(G).per_oem
    assert crit["connectivity"] == 2 and crit["dominators"] == []
    # AND view: X or B alone stops the battery; C1 or C2 alone leaves a chassis supplier.
    res = single_points_of_failure(G)
    spof = res["single_points_of_failure"]
    assert [e["node"] for e in spof] == ["X", "B"]
    x, b = spof
    assert x["oems"] == ["OEM"] and b["oems"] == ["OEM"]
    assert x["items"] == [
        {
            "oem": "OEM",
            "item": "battery",
            "chain": [
                {"customer": "OEM", "item": "battery", "supplier": "B"},
                {"customer": "B", "item": "cathode", "supplier": "X"},
            ],
        }
    ]
    # X takes B, C1 (steel) and the OEM: links out of X, B and C1 = 7 + 100 + 5 + 30.
    assert x["cascaded"] == 3 and x["value_at_risk"] == 142.0
    assert x["value_to_oems"] == 130.0  # 100 (battery) + 30 (C1's chassis)
    assert b["cascaded"] == 2 and b["value_at_risk"] == 135.0
    assert res["by_target"] == {"OEM": ["B", "X"]}


def test_dominator_that_is_no_single_point_under_and():
    # D is the whole supply base, so OR-reachability makes it the OEM's dominator
    # (connectivity 1). But A and B each buy x from D OR from each other, and the OEM buys w
    # from A OR B: when D fails, A and B still supply each other, so under AND nothing fails.
    G = chain(
        [
            ("D", "A", "x", 1.0),
            ("B", "A", "x", 1.0),
            ("D", "B", "x", 1.0),
            ("A", "B", "x", 1.0),
            ("A", "OEM", "w", 1.0),
            ("B", "OEM", "w", 1.0),
        ],
        OEM={"oem": True},
    )
    (crit,) = critical_nodes(G).per_oem
    assert crit["connectivity"] == 1 and crit["dominators"] == ["D"]
    assert single_points_of_failure(G)["single_points_of_failure"] == []


def test_region_and_cluster_losses_ranked():
    G = sole_battery_network()
    rep = report(G, region_labels={"sichuan": "Sichuan"})
    regions = [(r["region"], r["oems_lost"], r["value_at_risk"]) for r in rep["by_region"]]
    # Sichuan removes X, B and the OEM itself (C1 fails by cascade); Yibin removes X and B
    # and the OEM fails by cascade; Chengdu removes only the OEM; Shanghai's C2 is spare
    # (the OEM keeps C1), though its own link (20) is lost.
    assert regions == [
        ("sichuan", 1, 142.0),
        ("yibin", 1, 142.0),
        ("chengdu", 1, 0.0),
        ("shanghai", 0, 20.0),
    ]
    sichuan, yibin = rep["by_region"][:2]
    assert sichuan["label"] == "Sichuan" and sichuan["removed"] == 3
    assert sichuan["oems_removed"] == ["OEM"] and sichuan["oems"] == []
    assert yibin["oems"] == ["OEM"] and yibin["items"][0]["item"] == "battery"
    (cc,) = rep["by_cluster"]
    assert cc["cluster"] == "cc" and cc["oems_removed"] == ["OEM"]


def test_operator_with_its_sites_is_a_candidate():
    # Neither site alone stops the OEM (it buys batteries from both); their operator does.
    G = chain(
        [("S1", "OEM", "battery", 10.0), ("S2", "OEM", "battery", 10.0)],
        OEM={"oem": True},
        S1={"operator": "CATL"},
        S2={"operator": "CATL"},
    )
    (e,) = single_points_of_failure(G)["single_points_of_failure"]
    assert e["node"] == "CATL" and e["removed"] == ["S1", "S2"] and e["oems"] == ["OEM"]


def brute_force(G: nx.DiGraph, x: str) -> set[str]:
    """The OEMs that fail when x alone is removed, by a plain fixed point over x's
    descendants (only they can fail), written independently of the library's cascade."""
    failed = {x}
    scope = nx.descendants(G, x)
    changed = True
    while changed:
        changed = False
        for v in scope - failed:
            by_item: dict[str, set[str]] = {}
            for s in G.predecessors(v):
                for link in G.edges[s, v]["links"]:
                    by_item.setdefault(link.get("item") or "unspecified", set()).add(s)
            if any(sups <= failed for sups in by_item.values()):
                failed.add(v)
                changed = True
    return {n for n in failed - {x} if G.nodes[n].get("oem")}


def test_matches_brute_force_on_a_generated_network(kg_2000):
    G = supply_network(kg_2000, "synthetic")
    got = {
        e["node"]: set(e["oems"])
        for e in single_points_of_failure(G)["single_points_of_failure"]
        if e["removed"] == [e["node"]]
    }
    expected = {x: lost for x in G if (lost := brute_force(G, x))}
    assert len(expected) > 20  # the generated network has single-sourced items
    assert got == expected


C = "https://w3id.org/clusterkg/id/component/"
E = "https://w3id.org/clusterkg/id/"


def test_a_sole_service_provider_is_reported_but_fails_no_oem():
    # OEM buys its battery from B1 or B2 and its cloud platform only from CLOUD; P buys its
    # chips only from X. Removing CLOUD takes a service, not a production input: nothing fails.
    G = chain(
        [
            ("CLOUD", "OEM", C + "digital-platform-services", None),
            ("B1", "OEM", C + "power-battery", 10.0),
            ("B2", "OEM", C + "power-battery", 10.0),
            ("X", "B1", C + "chips", 1.0),
        ],
        OEM={"oem": True},
    )
    # a network built by hand states its services (a projection reads them off the scheme)
    G.graph["services"] = frozenset({C + "digital-platform-services"})
    out = report(G)
    assert out["single_points_of_failure"] == []
    assert out["service_dependencies"] == [
        {
            "node": "CLOUD",
            "label": "CLOUD",
            "kind": None,
            "customers": ["OEM"],
            "items": [{"customer": "OEM", "item": C + "digital-platform-services"}],
            "counted": False,
            # a curated-only network: nothing generated
            "synthetic": False,
            "synthetic_links": 0,
        }
    ]
    assert "narrower than component:services" in out["rule"]
    assert "not counted as production failure" in out["rule"]


def test_curated_single_points_count_production_inputs_and_groups_of_vehicle_makers(kg):
    # By hand from graphs/*supply*.ttl: each group below is the only supplier of an item of
    # its customer. Huawei Cloud and Guangyu Mingdao supply only digital platform services
    # (not counted); the outside NEV core parts makers are the one supplier of transmissions
    # of the Chengdu-Chongqing NEV makers (drive motors and electronic controls also come from
    # Changan/Seres and Landai/Yuebo).
    G = supply_network(kg)
    out = report(G)
    got = {e["node"][len(E) :]: e["oems"] for e in out["single_points_of_failure"]}
    assert got == {
        "group/dongfeng-sokon-sichuan-support-enterprises": [E + "enterprise/dongfeng-sokon"],
        "group/changan-sichuan-suppliers": [E + "enterprise/changan-automobile"],
        "group/chengdu-chongqing-auto-support-enterprises": [
            E + "group/chengdu-chongqing-vehicle-manufacturers"
        ],
        "group/chengdu-chongqing-supply-demand-platform-parts-suppliers": [
            E + "group/chengdu-chongqing-supply-demand-platform-vehicle-manufacturers"
        ],
        "group/nev-core-parts-makers-outside-chengdu-chongqing": [
            E + "group/chengdu-chongqing-nev-makers"
        ],
    }
    (outside,) = [e for e in out["single_points_of_failure"] if "nev-core" in e["node"]]
    assert [i["item"] for i in outside["items"]] == [C + "transmission"]
    services = {e["node"][len(E) :]: e["customers"] for e in out["service_dependencies"]}
    assert services == {
        "enterprise/huawei-cloud": [
            E + "enterprise/dongfeng-honda",
            E + "enterprise/foton-motor",
            E + "enterprise/gac-mitsubishi",
            E + "enterprise/jac",
        ],
        "enterprise/guangyu-mingdao-digital-technology": [E + "enterprise/chengdu-lynk-co"],
    }
    guangdong = next(r for r in out["by_region"] if r["region"] == E + "region/guangdong")
    assert guangdong["oems"] == []  # no OEM fails by cascade for Huawei Cloud's loss


def test_groups_of_vehicle_makers_count_as_oems(kg):
    G = supply_network(kg)
    oem_groups = sorted(n[len(E) :] for n, a in G.nodes(data=True) if a.get("oem_group"))
    # EnterpriseGroups that buy vehicle parts and sell none; not the dealers (they buy
    # vehicles), not the Liushi electrical enterprises (low-voltage accessories are no
    # vehicle part), not supplier groups
    assert oem_groups == [
        "group/chengdu-chongqing-nev-makers",
        "group/chengdu-chongqing-supply-demand-platform-vehicle-manufacturers",
        "group/chengdu-chongqing-vehicle-manufacturers",
    ]
    assert all(G.nodes[E + g]["oem"] for g in oem_groups)
    assert not G.nodes[E + "group/changan-sichuan-dealers"]["oem"]


def test_the_services_are_the_schemes_concepts_under_component_services(kg):
    # By rdflib alone over ontology/schemes.ttl: component:services and what is narrower.
    from pathlib import Path

    from rdflib import Graph, URIRef
    from rdflib.namespace import SKOS

    from clusterkg.analytics.projection import supply_network

    scheme = Graph().parse(Path(__file__).parents[2] / "ontology" / "schemes.ttl")
    top = URIRef(C + "services")
    expected = {str(top)} | {
        str(i)
        for i in scheme.subjects(SKOS.broader * "+", top)  # type: ignore[operator]
    }
    assert expected == {
        C + "services",
        C + "digital-platform-services",
        C + "textile-technology-services",
    }
    assert supply_network(kg).graph["services"] == expected
