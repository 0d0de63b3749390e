"""SHACL shapes compiled to SPARQL and run on Oxigraph: a fast path beside pySHACL."""

from clusterkg.shacl.engine import SparqlValidation, UnsupportedShapes, validate_paths_sparql

__all__ = ["SparqlValidation", "UnsupportedShapes", "validate_paths_sparql"]
