"""Identity and relations in the curated graph: one real cluster counts once, a cluster inside a
larger one is not a second top-level cluster, and the shapes reject contradicting relations.

Expected values are worked out by hand from the source texts and the curated files (each comment
names the passage).
"""

from __future__ import annotations

import re

import pytest

from clusterkg.queries import run_named
from clusterkg.validate import validate_paths

CLUSTER = "https://w3id.org/clusterkg/id/cluster/"
SECTOR = "https://w3id.org/clusterkg/id/sector/"


def records(kg, name, **params):
    return run_named(kg, name, params).records()


def test_cluster_counts_count_a_twice_described_cluster_once(kg):
    rows = {r["sector"].removeprefix(SECTOR): r for r in records(kg, "cluster-count-by-sector")}
    counts = {
        s: (rows[s]["descriptions"], rows[s]["clusters"], rows[s]["topLevel"])
        for s in ("biopharma", "electronics", "semiconductors", "new-energy-vehicles")
    }
    assert counts == {
        # 14 China Briefing biopharma clusters + Table I's Zhongguancun, Zhangjiang, Taizhou = 17.
        # Table I "Shanghai Zhangjiang biomedical" is China Briefing's Shanghai cluster
        # ("concentrated in the Zhangjiang Science City"): 16 real clusters. Shenyang lies in
        # "rapidly developing areas in Northeast China", and the Pearl River Delta ("nine cities
        # in southern Guangdong") in Guangdong's cluster: 14 at the top level.
        "biopharma": (17, 16, 14),
        # 8 China Briefing electronics clusters + Table I's Shenzhen electronic information,
        # which lies in the Pearl River Delta cluster ("in cities such as Shenzhen and Guangzhou").
        # Wuhan electronics ("home appliances and military electronics") only overlaps Wuhan's
        # chip-screen-end-network cluster, so both count.
        "electronics": (9, 9, 8),
        # 7 IC clusters + Chongqing's electronics cluster (ICs); Anhui lies in "the Yangtze River
        # Delta (covering Shanghai, Jiangsu, Zhejiang, and Anhui)". Wuhan's IC cluster lies in
        # the chip-screen-end-network cluster, whose sectors are not semiconductors.
        "semiconductors": (8, 8, 7),
        # 4 NEV clusters + the Yangtze River Delta automobile cluster, which "focuses heavily on
        # new energy vehicles" and contains the Yangtze River Delta NEV cluster.
        "new-energy-vehicles": (5, 5, 4),
    }


def test_clusters_by_sector_lists_a_twice_described_cluster_under_one_iri(kg):
    rows = records(kg, "clusters-by-sector-province")
    shanghai = {r["cluster"] for r in rows if r["provinceLabel"] == "Shanghai"}
    assert CLUSTER + "shanghai-zhangjiang-biomedical" not in shanghai
    merged = [r for r in rows if r["cluster"] == CLUSTER + "shanghai-biopharma"]
    assert {r["alsoDescribedAs"] for r in merged} == {CLUSTER + "shanghai-zhangjiang-biomedical"}
    # both descriptions' sectors: biopharma (both) and medical devices (China Briefing)
    assert {r["sectorLabel"] for r in merged} == {"biopharmaceuticals", "medical devices"}


def test_the_2021_plans_target_the_corridors_the_other_source_names(kg):
    # 000: "focusing on building a West- Chongqing Economic Hallway, Cheng-Yu Electric Corridor
    # and Cheng-Yu Zhixing Corridor"; 002: "Chengdu-Chongqing Electric Corridor," and
    # "Chengdu-Chongqing Intelligent Driving Corridor"
    rows = kg.engine.query("""
        PREFIX ck: <https://w3id.org/clusterkg/ontology#>
        SELECT DISTINCT ?park WHERE { ?plan ck:targets ?park . ?park a ck:IndustrialPark }
    """).rows
    parks = {str(r["park"]).rsplit("/", 1)[1] for r in rows}
    assert {
        "chengdu-chongqing-electric-corridor",
        "chengdu-chongqing-intelligent-driving-corridor",
    } <= parks


def test_china_textile_city_rank_is_one_observation(kg):
    rows = kg.engine.query("""
        PREFIX ck: <https://w3id.org/clusterkg/ontology#>
        SELECT DISTINCT ?o WHERE {
          ?o ck:indicator ck:Rank ; ck:refArea <https://w3id.org/clusterkg/id/park/china-textile-city> }
    """).rows
    # 001 "the largest textile distribution center in China and even in Asia" and 003 "the
    # largest textile distribution center in Asia": one rank, stated by two sources
    assert [str(r["o"]).rsplit("/", 1)[1] for r in rows] == ["china-textile-city-rank-asia"]


PREFIXES = """
@prefix ck: <https://w3id.org/clusterkg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix cl: <https://w3id.org/clusterkg/id/cluster/> .
@prefix reg: <https://w3id.org/clusterkg/id/region/> .
@prefix src: <https://w3id.org/clusterkg/id/source/> .
cl:a a ck:IndustrialCluster ; rdfs:label "A"@en ;
    prov:wasDerivedFrom src:six-auto-clusters ; ck:quote "a quote long enough" .
cl:b a ck:IndustrialCluster ; rdfs:label "B"@en ;
    prov:wasDerivedFrom src:six-auto-clusters ; ck:quote "a quote long enough" .
reg:r a ck:Province ; rdfs:label "R"@en .
"""

CLUSTER_RELATIONS = [
    ("same as a region", "cl:a ck:sameClusterAs reg:r .", "cluster/a", "must point to"),
    ("within itself", "cl:a ck:withinCluster cl:a .", "cluster/a", "contradicting"),
    (
        "within loop",
        "cl:a ck:withinCluster cl:b . cl:b ck:withinCluster cl:a .",
        "cluster/b",
        "contradicting",
    ),
    (
        "same and within",
        "cl:a ck:sameClusterAs cl:b . cl:b ck:withinCluster cl:a .",
        "cluster/a",
        "contradicting",
    ),
    (
        "within and overlapping",
        "cl:a ck:withinCluster cl:b . cl:b ck:overlapsCluster cl:a .",
        "cluster/a",
        "contradicting",
    ),
    (
        "a region relating clusters",
        "reg:r ck:overlapsCluster cl:a .",
        "region/r",
        "is not a ck:IndustrialCluster",
    ),
]


def _validate(settings, tmp_path, turtle):
    path = tmp_path / "fixture.ttl"
    path.write_text(PREFIXES + turtle, encoding="utf-8")
    files = [settings.ontology_dir, settings.graphs_dir / "sources.ttl", path]
    return validate_paths(files, ontology_dir=settings.ontology_dir)


def test_consistent_cluster_relations_conform(settings, tmp_path):
    report = _validate(settings, tmp_path, "cl:a ck:withinCluster cl:b .")
    assert report.conforms, report.to_text()


def extents(kg, region):
    rows = records(kg, "enterprises-in-region", region=region)
    out: dict[str, set[str]] = {}
    for r in rows:
        out.setdefault(r["entity"].split("/id/", 1)[1], set()).add(r["extent"])
    return out


def test_enterprises_in_the_economic_circle_keep_partial_overlap_apart(kg):
    found = extents(kg, "region/chengdu-chongqing")
    # 002: "The Chengdu-Chongqing economic circle has nurtured well-known automobile enterprises
    # such as Changan Auto ... such as BYD Battery, CATL, and Continental Huayu Brake Systems
    # (Chongqing)"; Seres, Landai and Yuebo are the in-region exceptions to "almost all ...
    # purchased from manufacturers outside the region"; Yibin, Chengdu and Shapingba (downtown)
    # lie wholly in the circle.
    inside = {
        "enterprise/changan-automobile",
        "enterprise/seres",
        "enterprise/chongqing-landai-powertrain",
        "enterprise/chongqing-yuebo-transmission",
        "enterprise/continental-huayu-brake-systems-chongqing",
        "site/catl-yibin",
        "site/faw-volkswagen-chengdu",
        "site/dongfeng-sokon-shapingba",
    }
    # located only as "Chongqing" (27 districts plus parts of two more are in the circle) or in
    # Dazhou (partly in): maybe inside, maybe not
    partly = {
        "enterprise/dongfeng-sokon",
        "enterprise/cmm-chongqing",
        "site/sk-hynix-chongqing",
        "site/svolt-dazhou",
    }
    assert {e for e in inside if found.get(e) == {"inside"}} == inside
    assert {e for e in partly if found.get(e) == {"partly inside"}} == partly
    assert all(len(x) == 1 for x in found.values()), found


def test_a_place_partly_in_the_circle_is_wholly_in_its_province(kg):
    # Dazhou is a city of Sichuan; only part of it is in the economic circle
    assert extents(kg, "region/sichuan")["site/svolt-dazhou"] == {"inside"}
    assert "site/sk-hynix-chongqing" not in extents(kg, "region/sichuan")


PARTLY = [
    ("partly in a non-region", "reg:r ck:partlyIn cl:a .", "region/r", "must point to a ck:Region"),
    (
        "partly and wholly in",
        'reg:q a ck:Province ; rdfs:label "Q"@en ; ck:partOf reg:r ; ck:partlyIn reg:r .',
        "region/q",
        "both partly in",
    ),
]


COLLABORATION = [
    (
        "collaboration without status",
        """
<https://w3id.org/clusterkg/id/collaboration/x> a ck:Collaboration ; rdfs:label "X"@en ;
    ck:participant cl:a, cl:b ;
    prov:wasDerivedFrom src:six-auto-clusters ; ck:quote "a quote long enough" .""",
        "collaboration/x",
        "ck:collaborationStatus",
    ),
]

STANDING = [
    (
        "standing without kind",
        """
<https://w3id.org/clusterkg/id/standing/x> a ck:Standing ; rdfs:label "X"@en ;
    ck:leader reg:r ;
    prov:wasDerivedFrom src:six-auto-clusters ; ck:quote "a quote long enough" .""",
        "standing/x",
        "ck:standingKind",
    ),
    (
        "standing led by a policy",
        """
<https://w3id.org/clusterkg/id/standing/x> a ck:Standing ; rdfs:label "X"@en ;
    ck:leader src:six-auto-clusters ; ck:standingKind ck:Leads ;
    prov:wasDerivedFrom src:six-auto-clusters ; ck:quote "a quote long enough" .""",
        "standing/x",
        "ck:leader",
    ),
]

BROKEN = CLUSTER_RELATIONS + PARTLY + COLLABORATION + STANDING


@pytest.mark.parametrize("name,turtle,focus,words", BROKEN, ids=[c[0] for c in BROKEN])
def test_shapes_reject_bad_relations(settings, tmp_path, name, turtle, focus, words):
    report = _validate(settings, tmp_path, turtle)
    hits = [v for v in report.violations if v.focus.endswith(focus) and words in v.message]
    assert hits, f"{name}: expected {words!r} on {focus}; got:\n{report.to_text()}"


def test_one_parts_enterprise_count_per_definition(kg):
    def values(indicator, area=CLUSTER + "chengdu-chongqing-auto"):
        rows = records(
            kg,
            "indicator-across-areas",
            indicator=f"https://w3id.org/clusterkg/ontology#{indicator}",
        )
        return sorted(r["value"] for r in rows if r["area"] == area)

    # 000: "gathers 45 vehicle enterprises and 1,398 auto parts enterprises above the designated
    # size"; 002: "According to rough statistics, there are a total of 210 automobile parts
    # enterprises in the Chengdu-Chongqing economic circle" (no size threshold): two
    # indicators, one value each, and the rough count is of the economic circle it names
    assert values("PartsEnterpriseCount") == [1398]
    assert values("PartsEnterpriseCountAnySize") == []
    circle = "https://w3id.org/clusterkg/id/region/chengdu-chongqing"
    assert values("PartsEnterpriseCountAnySize", circle) == [210]


def test_collaborations_keep_the_status_the_text_words(kg):
    statuses: dict[tuple[str, str], set[str]] = {}
    for r in records(kg, "university-collaborations"):
        key = (r["institutionLabel"], r["partnerLabel"])
        statuses.setdefault(key, set()).add(r["status"])
    uestc = "University of Electronic Science and Technology of China"
    # 002: "encouraging University of Electronic Science and Technology of China and Chongqing
    # University to establish industrial alliances with ... Changan Auto and FAW-Volkswagen"
    assert statuses[("Chongqing University", "Changan Automobile")] == {"encouraged"}
    assert statuses[(uestc, "FAW-Volkswagen")] == {"encouraged"}
    # 004: "Sokon Group plans to carry out production, education, and research cooperation with
    # the University of Electronic Science and Technology of China": the partner is the Sokon
    # Group the text names (004 never says Seres; the 2022 renaming is not in the text)
    assert statuses[(uestc, "Sokon Group")] == {"planned"}
    assert (uestc, "Seres") not in statuses
    # 004: "doctoral graduates of the University of Electronic Science and Technology of China can
    # apply for a job in Chang'an Automobile" (existing), besides the encouraged alliance of 002
    assert statuses[(uestc, "Changan Automobile")] == {"existing", "encouraged"}


def ask(kg, where):
    """ASK with id:path/name written for the full resource IRI."""
    where = re.sub(r"\bid:(\S+)", r"<https://w3id.org/clusterkg/id/\1>", where)
    query = f"PREFIX ck: <https://w3id.org/clusterkg/ontology#> ASK {{ {where} }}"
    return kg.engine.query(query).boolean


def test_readings_that_said_more_than_the_text_are_gone(kg):
    members = {
        r["member"].split("/id/", 1)[1]
        for r in records(kg, "cluster-members", cluster="cluster/beijing-tianjin-hebei-auto")
    }
    # 000: "Major automobile companies include Beijing Automobile Works, China Automobile, and
    # Great Wall": the name is kept, not read as FAW; FAW's joint ventures are the members
    assert "enterprise/china-automobile" in members
    assert "enterprise/faw-group" not in members
    assert {"enterprise/faw-toyota", "enterprise/faw-volkswagen"} <= members
    # 002: Guangyu Mingdao is "a company owned by Zhejiang Geely Holding Group": the holding
    # group, a node of its own, not the carmaker Geely
    assert ask(
        kg,
        "id:enterprise/guangyu-mingdao-digital-technology ck:subsidiaryOf "
        "id:enterprise/zhejiang-geely-holding-group",
    )
    assert not ask(
        kg, "id:enterprise/guangyu-mingdao-digital-technology ck:subsidiaryOf id:enterprise/geely"
    )
    # 002: Germany "spearheaded the launch of Important Projects of Common European Interest"
    assert not ask(kg, "id:policy/ipcei-batteries ck:issuedBy ?x")
    assert ask(kg, "id:policy/ipcei-batteries ck:promotedBy id:org/german-federal-government")
    # 000: the cluster "issued" the 2021 plans: a cluster issues nothing
    assert not ask(kg, "?p ck:issuedBy ?c . ?c a ck:IndustrialCluster")
    # 002: XCMG Hanyun is one of the firms the two deltas "cultivated": no membership
    assert not ask(kg, "id:enterprise/xcmg-hanyun ck:memberOf ?c")


def test_rankings_and_leadership_are_queryable(kg):
    rows = records(kg, "rankings-and-leadership")
    said = {(r["kind"], r["leaderLabel"], r["field"], r["scopeLabel"]) for r in rows}
    # 000: "Guangdong Province, which has the most prominent automobile production in China"
    assert ("most prominent", "Guangdong", "automobile manufacturing", "China") in said
    # 000: "the leading automobile enterprise is Dongfeng Motor Corporation" (Middle Yangtze)
    assert (
        "leads",
        "Dongfeng Motor Corporation",
        "automobile manufacturing",
        "Middle Yangtze River automobile industry cluster",
    ) in said
    # 003: "with Shanghai leading in vehicle production and Suzhou in component supply"
    yrd_nev = "Yangtze River Delta new energy vehicle industry cluster"
    assert ("leads", "Suzhou", "auto parts manufacturing", yrd_nev) in said
    # 001: "Especially in Zhejiang and Guangdong provinces, industrial clusters are the most
    # densely distributed"
    densest = {
        r["leaderLabel"] for r in rows if r["kind"] == "most concentrated" and not r["field"]
    }
    assert {"Zhejiang", "Guangdong"} <= densest
    # numbered ranks come along: 001 Table I "China's largest rail transit equipment
    # manufacturing industrial base"
    assert any(
        r["kind"] == "ranked"
        and r["leaderLabel"] == "Zhuzhou rail transit industrial cluster"
        and r["rank"] == 1
        for r in rows
    )


def test_groups_name_their_members_and_what_they_drew(kg):
    # 002: "well-known automobile enterprises such as FAW-Volkswagen, FAW-Toyota, Volvo, and
    # Changan, most of them are automobile manufacturing factories rather than R&D headquarters"
    group = "id:group/chengdu-chongqing-well-known-automakers"
    for firm in ("changan-automobile", "faw-toyota", "volvo", "geely"):
        assert ask(kg, f"{group} ck:includesMember id:enterprise/{firm}"), firm
    # 001: Haier, Hisense, Aucma "attracted many upstream and downstream enterprises in the
    # industrial chain to settle in Qingdao"
    assert ask(
        kg,
        "?g ck:includesMember id:enterprise/haier ; "
        "ck:attracted id:group/qingdao-home-appliance-chain-enterprises",
    )
    # 001: "auxiliary industries such as textile machinery, dye auxiliaries and textile technology
    # services" around the Shaoxing chain supply it
    assert ask(
        kg,
        "?l a ck:SupplyLink ; ck:supplier id:group/shaoxing-textile-auxiliary-industries ; "
        "ck:suppliedItem id:component/dye-auxiliaries",
    )


def test_ownership_only_where_a_quote_states_it(kg):
    rows = kg.engine.query(
        "PREFIX ck: <https://w3id.org/clusterkg/ontology#> SELECT ?a ?p ?b WHERE { "
        "VALUES ?p { ck:jointVentureOf ck:subsidiaryOf ck:affiliatedWith } ?a ?p ?b }"
    ).rows
    found = {
        (
            str(r["a"]).rsplit("/", 1)[1],
            str(r["p"]).rsplit("#", 1)[1],
            str(r["b"]).rsplit("/", 1)[1],
        )
        for r in rows
    }
    # The only ownership the five texts state (searched by hand for "owned", "parent",
    # "subsidiar", "joint", "'s"): 002 "a company owned by Zhejiang Geely Holding Group",
    # "Daimler (the parent company of Mercedes), BMW, and Audi (subsidiaries of VW)",
    # "Google's Waymo". Names such as "Shanghai Genera motors Wuling", "Dongfeng Sokon",
    # "FAW-Volkswagen", "BYD Battery" or "Huawei Cloud" state no ownership.
    assert found == {
        ("guangyu-mingdao-digital-technology", "subsidiaryOf", "zhejiang-geely-holding-group"),
        ("mercedes-benz", "subsidiaryOf", "daimler"),
        ("audi", "subsidiaryOf", "volkswagen"),
        ("waymo", "subsidiaryOf", "google"),
    }
    # No seed names Guangxi Automobile Group, Toyota, Honda, Mitsubishi Motors, Groupe PSA or
    # BAIC Group other than inside a joint-venture name: no node of their own.
    for gone in ("guangxi-automobile-group", "toyota", "honda", "mitsubishi-motors", "psa-group"):
        assert not ask(kg, f"id:enterprise/{gone} ?p ?o"), gone
    assert not ask(kg, "id:enterprise/baic-group ?p ?o")


def test_sokon_group_is_the_partner_the_text_names(kg):
    # 004: "Sokon Group plans to carry out production, education, and research cooperation with
    # the University of Electronic Science and Technology of China in 5G plus automobile"; 004
    # never names Seres, so Seres has no "Sokon" name and is no participant.
    assert ask(
        kg, "id:collaboration/sokon-uestc-5g-automobile ck:participant id:enterprise/sokon-group"
    )
    assert not ask(
        kg, "id:collaboration/sokon-uestc-5g-automobile ck:participant id:enterprise/seres"
    )
    assert not ask(
        kg,
        "id:enterprise/seres <http://www.w3.org/2004/02/skos/core#altLabel> ?l FILTER(CONTAINS(LCASE(STR(?l)), 'sokon'))",
    )
