"""Every quote in the curated graph occurs verbatim in the source text it is attributed to."""

from __future__ import annotations

import re
import unicodedata

from rdflib import Graph
from rdflib.namespace import PROV

from clusterkg.vocab import CK

_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2032": "'",
        "\u00b4": "'",
        "\u2013": "-",
        "\u2014": "-",
    }
)


def normalise(text: str) -> str:
    """Whitespace folded, typographic quote marks and dashes made plain, NFKC."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    return re.sub(r"\s+", " ", text).strip()


def source_files(settings) -> dict:
    g = Graph().parse(settings.graphs_dir / "sources.ttl")
    return {s: str(f) for s, f in g.subject_objects(CK.fileName)}


def test_normalise_is_not_too_lenient():
    assert normalise("a  \n b") == "a b"
    assert normalise("\u201cquoted\u201d") == '"quoted"'
    assert normalise("846 parts") != normalise("864 parts")


def test_every_quote_is_verbatim_in_its_source(settings, seeds):
    files = source_files(settings)
    texts = {
        src: normalise((seeds / name).read_text(encoding="utf-8")) for src, name in files.items()
    }
    checked, missing, unpaired = 0, [], []
    for path in sorted(settings.graphs_dir.glob("*.ttl")):
        g = Graph().parse(path)
        for node in set(g.subjects(CK.quote, None)):
            sources = [s for s in g.objects(node, PROV.wasDerivedFrom) if s in texts]
            if len(sources) != 1:
                unpaired.append(f"{path.name}: {node} has {len(sources)} quotable sources")
                continue
            text = texts[sources[0]]
            for quote in g.objects(node, CK.quote):
                checked += 1
                if normalise(str(quote)) not in text:
                    missing.append(f"{path.name}: {node}: {str(quote)[:80]!r}")
    assert not unpaired, "\n".join(unpaired)
    assert not missing, f"{len(missing)} quotes not found in their source:\n" + "\n".join(missing)
    assert checked >= 300, f"only {checked} quotes checked"
