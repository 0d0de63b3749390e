"""graphs/README.md's file table states, for every file, how many nodes of each kind the file
types; those counts are the file's, and no kind the file types is left out."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS

from clusterkg.vocab import CK

#: The kinds the table counts: the word it uses (plural; the singular also reads) -> classes.
KINDS = {
    "sources": ("SourceDocument",),
    "regions": ("Region",),
    "clusters": ("IndustrialCluster",),
    "enterprises": ("Enterprise",),
    "groups": ("EnterpriseGroup",),
    "sites": ("ProductionSite",),
    "universities": ("University",),
    "institutes": ("ResearchInstitute",),
    "bodies": ("GovernmentBody", "Association"),
    "policies": ("Policy",),
    "parks": ("IndustrialPark",),
    "platforms": ("Platform",),
    "supply links": ("SupplyLink",),
    "collaborations": ("Collaboration",),
    "observations": ("Observation",),
    "standings": ("Standing",),
}
SINGULAR = {
    "source": "sources", "region": "regions", "cluster": "clusters", "enterprise": "enterprises",
    "group": "groups", "site": "sites", "university": "universities", "institute": "institutes",
    "body": "bodies", "policy": "policies", "park": "parks", "platform": "platforms",
    "supply link": "supply links", "collaboration": "collaborations", "observation": "observations",
    "standing": "standings",
}  # fmt: skip
COUNT = re.compile(r"(\d+) ([a-z]+(?: links?)?)")


@pytest.fixture(scope="module")
def subclasses(settings) -> dict[URIRef, set[URIRef]]:
    """Each clusterkg class with all its subclasses (rdfs:subClassOf*), from the ontology."""
    onto = Graph()
    for path in settings.ontology_dir.glob("*.ttl"):
        onto.parse(path)
    out = {}
    for names in KINDS.values():
        for name in names:
            out[CK[name]] = set(onto.transitive_subjects(RDFS.subClassOf, CK[name]))
    return out


def counts_in_file(path, subclasses) -> Counter:
    g = Graph().parse(path)
    found: Counter = Counter()
    for kind, names in KINDS.items():
        classes = set().union(*(subclasses[CK[n]] for n in names))
        found[kind] = len({s for s, o in g.subject_objects(RDF.type) if o in classes})
    return +found


def table_counts(readme: str) -> dict[str, Counter]:
    """file name -> the counts of its row's last cell ("8 clusters, 1 park, 9 observations")."""
    rows = {}
    for line in readme.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        m = re.fullmatch(r"`([\w.-]+\.ttl)`", cells[0]) if cells else None
        if m and len(cells) >= 4:
            stated: Counter = Counter()
            for n, word in COUNT.findall(cells[-1]):
                stated[SINGULAR.get(word, word)] += int(n)
            rows[m.group(1)] = stated
    return rows


def test_the_file_table_counts_what_each_file_types(settings, subclasses):
    readme = (settings.graphs_dir / "README.md").read_text(encoding="utf-8")
    stated = table_counts(readme)
    problems = []
    for path in sorted(settings.graphs_dir.glob("*.ttl")):
        actual = counts_in_file(path, subclasses)
        if stated.get(path.name) != actual:
            problems.append(
                f"{path.name}: table says {dict(stated.get(path.name, {}))}, file has {dict(actual)}"
            )
    assert not problems, "\n".join(problems)


def test_the_table_parser_reads_a_row():
    row = "| `x.ttl` | src | what | 8 clusters, 1 park, 20 supply links |"
    assert table_counts(row) == {"x.ttl": Counter(clusters=8, parks=1, **{"supply links": 20})}
