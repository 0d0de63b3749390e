"""Run one RML/YARRRML mapping with morph-kgc and write the triples as N-Triples.

This file runs in the separate RML virtualenv (``clusterkg rml-setup``), not in clusterkg's
own environment: morph-kgc pins older rdflib and pyoxigraph than clusterkg needs. It therefore
imports nothing from clusterkg, only the standard library and morph-kgc.

Usage: ``python rml_runner.py MAPPING OUT.nt``; sources resolve relative to the mapping's
folder. Exit status 0 and OUT written, or 3 and a line ``MARKER reason`` on stderr.
"""

from __future__ import annotations

import logging
import os
import sys

#: Starts the one stderr line that says why a mapping failed (other lines are morph-kgc's).
MARKER = "clusterkg-rml-error:"


def main(argv: list[str]) -> int:
    mapping, out = argv[1], argv[2]
    import morph_kgc

    logging.getLogger("morph_kgc").setLevel(logging.ERROR)
    config = (
        "[CONFIGURATION]\nlogging_level=ERROR\n"
        f"[DataSource1]\nmappings={os.path.basename(mapping)}\n"
    )
    os.chdir(os.path.dirname(os.path.abspath(mapping)))
    try:
        graph = morph_kgc.materialize(config)
    except Exception as exc:  # morph-kgc raises many kinds; all mean a bad mapping or source
        message = " ".join(str(exc).split())[:300] or type(exc).__name__
        print(f"{MARKER} the mapping failed: {message}", file=sys.stderr)
        return 3
    graph.serialize(destination=out, format="nt", encoding="utf-8")
    return 0


if __name__ == "__main__":
    status = main(sys.argv)
    sys.stdout.flush()
    sys.stderr.flush()
    # Skip interpreter teardown: morph-kgc's worker pool otherwise prints a traceback from
    # Pool.__del__ after a failed mapping.
    os._exit(status)
