"""The SPARQL engine reports exactly what pySHACL reports, on every shape fixture and graph.

pySHACL is the reference implementation: each fixture is validated by both engines and the
sets of (focus, path, messages, value) must be equal, as must conformance and triple counts.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Dataset, URIRef

from clusterkg.cli import main
from clusterkg.shacl import UnsupportedShapes, validate_paths_sparql
from clusterkg.validate import validate_paths
from tests.data.test_shapes import BROKEN, GOOD_OBS, PREFIXES, SYNTHETIC_LINK

CK = "https://w3id.org/clusterkg/ontology#"

# Constructs the foundation fixtures do not reach: (name, Turtle added to PREFIXES)
EXTRA = [
    ("untagged labels twice", 'ent:a rdfs:label "A1", "A2" .'),
    ("no English label", 'ent:c a ck:Enterprise ; rdfs:label "C"@zh .'),
    ("no label at all", "ent:c a ck:VehicleManufacturer ."),
    ("altLabel not text", "ent:a skos:altLabel ent:b ."),
    ("parent not an enterprise", "ent:a ck:subsidiaryOf reg:r ."),
    ("two latitudes", "reg:r wgs84:lat 30.1, 31.2 ."),
    ("short quote", 'cl:c ck:quote "short" .'),
    ("member count ill-typed", 'ent:g a ck:EnterpriseGroup ; ck:memberCount "many"^^xsd:integer .'),
    ("negative member count", "ent:g a ck:EnterpriseGroup ; ck:memberCount -3 ."),
    ("collaborates with a region", "ent:a ck:collaboratesWith reg:r ."),
    (
        "run without class",
        SYNTHETIC_LINK.replace(
            '<https://w3id.org/clusterkg/id/run/test> a ck:AnalysisRun ; rdfs:label "test run"@en ;',
            '<https://w3id.org/clusterkg/id/run/test> rdfs:label "test run"@en ;',
        ),
    ),
    ("synthetic false", SYNTHETIC_LINK.replace("ck:synthetic true", "ck:synthetic false")),
    ("tier on a curated firm", "ent:a ck:tier 2 ."),
    ("quote without source", 'ent:b ck:quote "a quote long enough" .'),
    ("blank node with two labels", '[] rdfs:label "x"@en, "y"@en .'),
    ("policy issued twice", GOOD_OBS + 'obs:x ck:refPeriod "2020"^^xsd:gYear, "2021"^^xsd:gYear .'),
    ("growth rate over 100", GOOD_OBS.replace("PartsEnterpriseCount", "GrowthRate")),
]

FIXTURES = (
    [(b[0], b[1]) for b in BROKEN] + EXTRA + [("good", GOOD_OBS), ("synthetic", SYNTHETIC_LINK)]
)


def _value(text: str | None) -> str | None:
    """Oxigraph stores numbers by value (``123.0`` comes back as ``123``); compare by value."""
    if text is None:
        return None
    try:
        return str(Decimal(text).normalize()) if re.fullmatch(r"[-+]?[\d.]+", text) else text
    except InvalidOperation:
        return text


def findings(report) -> set[tuple]:
    """(focus, path, message set, value) per violation; blank nodes by position only."""
    out = set()
    for v in report.violations:
        focus = v.focus if "/" in v.focus else "_:blank"
        out.add((focus, v.path, frozenset(v.message.split("; ")), _value(v.value)))
    return out


def assert_same(paths, settings) -> tuple:
    reference = validate_paths(paths, ontology_dir=settings.ontology_dir)
    fast = validate_paths_sparql(paths, ontology_dir=settings.ontology_dir, allow_fallback=False)
    assert fast.fallbacks == {}
    assert findings(fast.report) == findings(reference), (
        f"pySHACL:\n{reference.to_text()}\nSPARQL:\n{fast.report.to_text()}"
    )
    assert fast.report.conforms == reference.conforms
    assert fast.report.triples == reference.triples
    assert fast.report.files == reference.files

    def files(report) -> dict:
        return {
            (v.focus if "/" in v.focus else "_:blank", frozenset(v.message.split("; "))): v.files
            for v in report.violations
        }

    assert files(fast.report) == files(reference)
    return reference, fast.report


@pytest.fixture(scope="module")
def base_files(settings) -> list[Path]:
    return [settings.ontology_dir, settings.graphs_dir / "sources.ttl"]


@pytest.mark.parametrize("name,turtle", FIXTURES, ids=[f[0] for f in FIXTURES])
def test_engines_agree_on_fixture(settings, base_files, tmp_path, name, turtle):
    path = tmp_path / "fixture.ttl"
    path.write_text(PREFIXES + turtle, encoding="utf-8")
    reference, _fast = assert_same([*base_files, path], settings)
    if name not in ("good", "synthetic", "growth rate over 100"):
        assert not reference.conforms, f"{name} should violate a shape"


def test_engines_agree_on_the_shipped_graphs(settings):
    reference, fast = assert_same(settings.bundled_paths(), settings)
    assert fast.conforms and reference.triples > 5000


def test_engines_agree_on_a_generated_network_with_planted_errors(settings, tmp_path):
    generated = tmp_path / "generated.trig"
    result = CliRunner().invoke(
        main, ["generate", "--seed", "1", "--scale", "0.02", "--out", str(generated)]
    )
    assert result.exit_code == 0, result.output
    data = Dataset()
    data.parse(generated, format="trig")
    supplier_of = {s: o for s, _p, o, _g in data.quads((None, URIRef(CK + "supplier"), None, None))}
    links = sorted(supplier_of)[:3]
    suppliers = [supplier_of[link] for link in links]
    planted = tmp_path / "planted.ttl"
    planted.write_text(
        PREFIXES
        + "\n".join(
            f"<{link}> ck:customer <{sup}> ; ck:annualValueCNY -{i} ."
            for i, (link, sup) in enumerate(zip(links, suppliers, strict=True), 1)
        )
        + f'\n<{suppliers[0]}> rdfs:label "dup"@en, "dup2"@en .',
        encoding="utf-8",
    )
    reference, _ = assert_same([settings.ontology_dir, generated, planted], settings)
    assert len({v.focus for v in reference.violations}) >= 4


def test_unsupported_construct_is_refused_or_left_to_pyshacl(settings, base_files, tmp_path):
    shapes = tmp_path / "shapes-closed.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "@prefix ck: <https://w3id.org/clusterkg/ontology#> .\n"
        "<urn:closed> a sh:NodeShape ; sh:targetClass ck:Province ; sh:closed true ;\n"
        '    sh:message "closed shape" .\n',
        encoding="utf-8",
    )
    fixture = tmp_path / "fixture.ttl"
    fixture.write_text(PREFIXES, encoding="utf-8")
    with pytest.raises(UnsupportedShapes, match="closed"):
        validate_paths_sparql(
            [*base_files, fixture],
            ontology_dir=settings.ontology_dir,
            shapes=[shapes],
            allow_fallback=False,
        )
    fast = validate_paths_sparql(
        [*base_files, fixture], ontology_dir=settings.ontology_dir, shapes=[shapes]
    )
    assert "urn:closed" in fast.fallbacks
    reference = validate_paths(
        [*base_files, fixture], ontology_dir=settings.ontology_dir, shapes=[shapes]
    )
    assert findings(fast.report) == findings(reference)
    assert any(v.message == "closed shape" for v in fast.report.violations)


def test_engines_agree_when_quad_files_share_graph_names(settings, base_files, tmp_path):
    """Graph names and triples repeated across TriG and N-Quads files, default graphs too:
    Oxigraph loads each file itself, and the report must still name the right files and count
    each triple once."""
    graph = "<https://w3id.org/clusterkg/graph/shared>"
    padding = "\n".join(f'ent:a rdfs:comment "padding {i}" .' for i in range(50))
    big = tmp_path / "big.trig"
    big.write_text(
        PREFIXES + f"{graph} {{ reg:r wgs84:lat 30.1, 31.2 .\n{padding} }}\n"
        "ent:b ck:subsidiaryOf reg:r .\n",
        encoding="utf-8",
    )
    same_names = tmp_path / "same-names.trig"
    same_names.write_text(
        PREFIXES.split("\ncl:c")[0]
        + f'\n{graph} {{ reg:r wgs84:lat 30.1 . ent:c a ck:Enterprise ; rdfs:label "C"@zh . }}\n'
        "ent:b ck:subsidiaryOf reg:r .\n",
        encoding="utf-8",
    )
    quads = tmp_path / "other.nq"
    quads.write_text(
        "<https://w3id.org/clusterkg/id/region/r> "
        "<http://www.w3.org/2003/01/geo/wgs84_pos#lat> "
        '"31.2"^^<http://www.w3.org/2001/XMLSchema#decimal> <urn:other> .\n'
        "<https://w3id.org/clusterkg/id/enterprise/a> "
        "<https://w3id.org/clusterkg/ontology#subsidiaryOf> "
        "<https://w3id.org/clusterkg/id/region/r> <urn:other2> .\n",
        encoding="utf-8",
    )
    reference, fast = assert_same([*base_files, big, same_names, quads], settings)
    by_focus = {v.focus: v.files for v in reference.violations}
    region = "https://w3id.org/clusterkg/id/region/r"
    # reg:r is described by all three files and by the base fixture of the PREFIXES block
    assert {Path(f).name for f in by_focus[region]} >= {"big.trig", "same-names.trig", "other.nq"}
    assert len({v.focus for v in fast.violations}) >= 3
