"""Compile SHACL shapes into SPARQL SELECT queries that check every focus node at once.

Each (shape, constraint) pair becomes one query whose rows are the validation results:
``?this`` is the focus node and, where the constraint reports one, ``?value`` the value node.
The semantics follow the SHACL Recommendation (https://www.w3.org/TR/shacl/), section 4 (core
constraint components) and 5 (SPARQL-based constraints), and pySHACL's choices where the
Recommendation leaves room (which results carry ``sh:value``, how ``{?var}`` is substituted in
messages), so that both engines report the same results.

Nested shapes (``sh:or``, ``sh:and``, ``sh:not``, ``sh:xone``, ``sh:node``,
``sh:qualifiedValueShape``) compile into one boolean SPARQL expression "``x`` violates ``S``"
(:meth:`ShapeCompiler.violates`), so a whole constraint stays a single query. Constructs
outside the supported set raise :class:`Unsupported`; the caller validates that shape with
pySHACL instead, never passing it silently.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import combinations

from pyshacl.rdfutil import stringify_node
from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.term import Node

from clusterkg.vocab import SH

#: The SPARQL path of SHACL's instance test (SHACL 3.2, "SHACL instance").
INSTANCE_PATH = f"<{RDF.type}>/<{RDFS.subClassOf}>*"

#: Datatypes whose lexical forms SPARQL can check by casting (ill-typed literals violate
#: sh:datatype: SHACL 4.1.2).
_CASTABLE = {XSD.integer, XSD.decimal, XSD.double, XSD.float, XSD.boolean, XSD.dateTime}

#: Parameters this compiler understands; any other sh: predicate on a shape is unsupported.
_IGNORED = {
    SH.message,
    SH.severity,
    SH.deactivated,
    SH.name,
    SH.description,
    SH.order,
    SH.group,
    SH.defaultValue,
    SH.targetClass,
    SH.targetNode,
    SH.targetSubjectsOf,
    SH.targetObjectsOf,
    SH.target,
    SH.path,
    SH.property,
    SH.sparql,
    SH.qualifiedMinCount,
    SH.qualifiedMaxCount,
    SH.qualifiedValueShapesDisjoint,
    SH.declare,
    SH.prefixes,
}
_VALUE_PARAMS = {
    SH["class"],
    SH.datatype,
    SH.nodeKind,
    SH.minInclusive,
    SH.maxInclusive,
    SH.minExclusive,
    SH.maxExclusive,
    SH.minLength,
    SH.maxLength,
    SH.pattern,
    SH.flags,
    SH.languageIn,
    SH["in"],
    SH["or"],
    SH["and"],
    SH["not"],
    SH.xone,
    SH.node,
}
_PROPERTY_PARAMS = {
    SH.minCount,
    SH.maxCount,
    SH.hasValue,
    SH.uniqueLang,
    SH.qualifiedValueShape,
}
_COMPARATORS = {
    SH.minInclusive: ">=",
    SH.maxInclusive: "<=",
    SH.minExclusive: ">",
    SH.maxExclusive: "<",
}
_COMPONENT = {
    SH["class"]: "ClassConstraintComponent",
    SH.datatype: "DatatypeConstraintComponent",
    SH.nodeKind: "NodeKindConstraintComponent",
    SH.minInclusive: "MinInclusiveConstraintComponent",
    SH.maxInclusive: "MaxInclusiveConstraintComponent",
    SH.minExclusive: "MinExclusiveConstraintComponent",
    SH.maxExclusive: "MaxExclusiveConstraintComponent",
    SH.minLength: "MinLengthConstraintComponent",
    SH.maxLength: "MaxLengthConstraintComponent",
    SH.pattern: "PatternConstraintComponent",
    SH.languageIn: "LanguageInConstraintComponent",
    SH["in"]: "InConstraintComponent",
    SH["or"]: "OrConstraintComponent",
    SH["and"]: "AndConstraintComponent",
    SH["not"]: "NotConstraintComponent",
    SH.xone: "XoneConstraintComponent",
    SH.node: "NodeConstraintComponent",
    SH.minCount: "MinCountConstraintComponent",
    SH.maxCount: "MaxCountConstraintComponent",
    SH.hasValue: "HasValueConstraintComponent",
    SH.uniqueLang: "UniqueLangConstraintComponent",
    SH.qualifiedMinCount: "QualifiedMinCountConstraintComponent",
    SH.qualifiedMaxCount: "QualifiedMaxCountConstraintComponent",
    SH.sparql: "SPARQLConstraintComponent",
}
# SPARQL features whose meaning changes between pre-binding $this (SHACL 5.3.1) and joining
# the query with all focus nodes; such constraints are left to pySHACL.
_PREBINDING_SENSITIVE = re.compile(
    r"\b(GROUP\s+BY|HAVING|LIMIT|OFFSET|MINUS|SERVICE|VALUES|COUNT|SUM|MIN|MAX|AVG|SAMPLE|"
    r"GROUP_CONCAT)\b|\$(shapesGraph|currentShape|PATH)\b|\?failure\b",
    re.IGNORECASE,
)
_PREFIX_DECL = re.compile(r"^\s*PREFIX\s+([\w.-]*):\s*<([^>]*)>", re.IGNORECASE)


class Unsupported(Exception):
    """A shape uses a construct this compiler does not translate (the message says which)."""


def _int(node: Node | None) -> int:
    """The integer a SHACL count or length literal states (``"2"^^xsd:integer`` -> 2)."""
    return int(str(node))


def _true(node: Node) -> bool:
    """Whether a SHACL boolean parameter (``sh:deactivated true``) is set."""
    return bool(node.toPython()) if isinstance(node, Literal) else True


@dataclass
class Check:
    """One compiled (shape, constraint): a query whose rows are validation results."""

    shape: Node
    component: str
    query: str
    path: Node | None
    messages: list[Literal]
    severity: URIRef
    #: "value": ?value of the row; "focus": the focus node; None: no sh:value
    value: str | None
    source_constraint: Node | None = None
    #: SPARQL constraints substitute {?var} in messages with the row's bindings
    substitute: bool = False
    #: checks folded into one query: a row is this check's if the boolean ``?flag`` is true
    flag: str | None = None
    #: folded count checks: a row is this check's if its ``?_n`` compares so, e.g. (">", 1)
    count: tuple[str, int] | None = None


@dataclass
class Compiled:
    """The checks of a shapes graph, and the top-level shapes left to pySHACL (with why)."""

    checks: list[Check] = field(default_factory=list)
    unsupported: dict[Node, str] = field(default_factory=dict)


def sparql_term(node: Node) -> str:
    """``node`` written as a SPARQL term (IRIs and literals; blank nodes cannot be named)."""
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, Literal):
        text = (
            str(node)
            .replace("\\", "\\\\")
            .replace('"', '\\"')
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
        if node.language:
            return f'"{text}"@{node.language}'
        if node.datatype is not None:
            return f'"{text}"^^<{node.datatype}>'
        return f'"{text}"'
    raise Unsupported(f"a blank node {node} used as a constraint value")


class ShapeCompiler:
    """Translate the shapes of one shapes graph into :class:`Check` queries."""

    def __init__(
        self, shapes: Graph, subclasses: Callable[[Node], list[Node]] | None = None
    ) -> None:
        self.g = shapes
        self._fresh = 0
        # With the data's subclass closure known, "x is an instance of C" becomes one index
        # lookup per value instead of a property-path walk per value.
        self.subclasses = subclasses

    def instance_of(self, x: str, cls: Node, bound: bool = False) -> str:
        """A group pattern matching when ``x`` is a SHACL instance of ``cls`` (SHACL 3.2).

        ``bound``: ``x`` is already bound (a value being checked), so its few types are read
        once and compared, instead of one lookup per subclass; unbound (a target), the
        subclasses drive the lookup."""
        if self.subclasses is None:
            return f"{x} {INSTANCE_PATH} {sparql_term(cls)}"
        t = self.var("t")
        classes = [sparql_term(c) for c in self.subclasses(cls)]
        if bound:
            return f"{x} <{RDF.type}> {t} FILTER({t} IN ({', '.join(classes)}))"
        return f"VALUES {t} {{ {' '.join(classes)} }} {x} <{RDF.type}> {t}"

    # -- helpers -------------------------------------------------------------------------
    def var(self, stem: str = "v") -> str:
        self._fresh += 1
        return f"?_{stem}{self._fresh}"

    def one(self, node: Node, pred: URIRef) -> Node | None:
        values = list(self.g.objects(node, pred))
        if len(values) > 1:
            raise Unsupported(f"several values of {pred.n3()} on one shape")
        return values[0] if values else None

    def items(self, node: Node) -> list[Node]:
        return list(Collection(self.g, node))

    def deactivated(self, shape: Node) -> bool:
        return any(_true(v) for v in self.g.objects(shape, SH.deactivated))

    def messages(self, node: Node) -> list[Literal]:
        return [m for m in self.g.objects(node, SH.message) if isinstance(m, Literal)]

    def severity(self, shape: Node) -> URIRef:
        sev = self.one(shape, SH.severity)
        return sev if isinstance(sev, URIRef) else SH.Violation

    def path(self, node: Node | None) -> str:
        """A SHACL property path as a SPARQL property path (SHACL 2.3.1)."""
        if node is None:  # (None, rdf:first, None) would match every list of the shapes graph
            raise Unsupported("a property shape without sh:path")
        if isinstance(node, URIRef):
            return f"<{node}>"
        if (node, RDF.first, None) in self.g:
            return "(" + "/".join(self.path(p) for p in self.items(node)) + ")"
        for pred, fmt in (
            (SH.inversePath, "^{}"),
            (SH.zeroOrMorePath, "{}*"),
            (SH.oneOrMorePath, "{}+"),
            (SH.zeroOrOnePath, "{}?"),
        ):
            inner = self.one(node, pred)
            if inner is not None:
                return "(" + fmt.format(self.path(inner)) + ")"
        alternatives = self.one(node, SH.alternativePath)
        if alternatives is not None:
            return "(" + "|".join(self.path(p) for p in self.items(alternatives)) + ")"
        raise Unsupported(f"the property path {node}")

    def check_parameters(self, shape: Node) -> None:
        for pred in set(self.g.predicates(shape)):
            if str(pred).startswith(str(SH)) and pred not in (
                _IGNORED | _VALUE_PARAMS | _PROPERTY_PARAMS
            ):
                raise Unsupported(f"{pred.n3(self.g.namespace_manager)} on {shape}")

    # -- "x violates S" as one boolean expression ---------------------------------------------
    def value_exprs(self, shape: Node, x: str, depth: int) -> Iterator[tuple[URIRef, str]]:
        """(parameter, expression) per value-type constraint of ``shape``: true iff value ``x``
        violates it (SHACL 4.1-4.6; errors in comparisons count as violations)."""
        g = self.g
        for cls in g.objects(shape, SH["class"]):
            yield SH["class"], f"NOT EXISTS {{ {self.instance_of(x, cls, bound=True)} }}"
        for dt in g.objects(shape, SH.datatype):
            test = f"isLiteral({x}) && datatype({x}) = {sparql_term(dt)}"
            if dt in _CASTABLE:
                test += f" && isLiteral({sparql_term(dt)}(STR({x})))"
            yield SH.datatype, f"!COALESCE({test}, false)"
        for kind in g.objects(shape, SH.nodeKind):
            tests: dict[Node, str] = {
                SH.IRI: "isIRI({x})",
                SH.BlankNode: "isBlank({x})",
                SH.Literal: "isLiteral({x})",
                SH.BlankNodeOrIRI: "(isBlank({x}) || isIRI({x}))",
                SH.BlankNodeOrLiteral: "(isBlank({x}) || isLiteral({x}))",
                SH.IRIOrLiteral: "(isIRI({x}) || isLiteral({x}))",
            }
            if kind not in tests:
                raise Unsupported(f"sh:nodeKind {kind}")
            yield SH.nodeKind, "!" + tests[kind].format(x=x)
        for pred, op in _COMPARATORS.items():
            for bound in g.objects(shape, pred):
                yield pred, f"!COALESCE(!isBlank({x}) && {x} {op} {sparql_term(bound)}, false)"
        for pred, op in ((SH.minLength, ">="), (SH.maxLength, "<=")):
            for n in g.objects(shape, pred):
                yield pred, f"!COALESCE(!isBlank({x}) && STRLEN(STR({x})) {op} {_int(n)}, false)"
        flags = self.one(shape, SH.flags)
        for pattern in g.objects(shape, SH.pattern):
            args = sparql_term(Literal(str(pattern)))
            if flags is not None:
                args += ", " + sparql_term(Literal(str(flags)))
            yield SH.pattern, f"!COALESCE(!isBlank({x}) && REGEX(STR({x}), {args}), false)"
        for langs in g.objects(shape, SH.languageIn):
            any_lang = " || ".join(
                f"langMatches(lang({x}), {sparql_term(Literal(str(tag)))})"
                for tag in self.items(langs)
            )
            yield SH.languageIn, f"!COALESCE({any_lang or 'false'}, false)"
        for members in g.objects(shape, SH["in"]):
            any_member = " || ".join(
                f"sameTerm({x}, {sparql_term(m)})" for m in self.items(members)
            )
            yield SH["in"], f"!({any_member or 'false'})"
        for members in g.objects(shape, SH["or"]):
            parts = [self.violates(m, x, depth + 1) for m in self.items(members)]
            yield SH["or"], "(" + (" && ".join(parts) or "true") + ")"
        for members in g.objects(shape, SH["and"]):
            parts = [self.violates(m, x, depth + 1) for m in self.items(members)]
            yield SH["and"], "(" + (" || ".join(parts) or "false") + ")"
        for members in g.objects(shape, SH.xone):
            parts = [f"IF({self.violates(m, x, depth + 1)}, 0, 1)" for m in self.items(members)]
            yield SH.xone, "(" + (" + ".join(parts) or "0") + ") != 1"
        for inner in g.objects(shape, SH["not"]):
            yield SH["not"], f"!({self.violates(inner, x, depth + 1)})"
        for inner in g.objects(shape, SH.node):
            yield SH.node, self.violates(inner, x, depth + 1)

    def distinct_values(self, x: str, path: str, n: int, condition: str | None) -> str:
        """A group pattern matching when ``x`` has ``n`` distinct values along ``path`` (each
        satisfying ``condition``, with ``%V%`` standing for the value)."""
        names = [self.var() for _ in range(n)]
        parts = [f"{x} {path} {v} ." for v in names]
        tests = [f"!sameTerm({a}, {b})" for a, b in combinations(names, 2)]
        if condition:
            tests += [condition.replace("%V%", v) for v in names]
        body = " ".join(parts)
        return f"{{ {body} {'FILTER(' + ' && '.join(tests) + ')' if tests else ''} }}"

    def property_exprs(self, pshape: Node, x: str, depth: int) -> Iterator[tuple[URIRef, str]]:
        """(parameter, expression) per constraint of property shape ``pshape``: true iff the
        focus node ``x`` violates it."""
        path = self.path(self.one(pshape, SH.path))
        v = self.var()
        for pred, expr in self.value_exprs(pshape, v, depth):
            yield pred, f"EXISTS {{ {x} {path} {v} FILTER({expr}) }}"
        for n in self.g.objects(pshape, SH.minCount):
            if _int(n) > 0:
                yield SH.minCount, "NOT EXISTS " + self.distinct_values(x, path, _int(n), None)
        for n in self.g.objects(pshape, SH.maxCount):
            yield SH.maxCount, "EXISTS " + self.distinct_values(x, path, _int(n) + 1, None)
        for value in self.g.objects(pshape, SH.hasValue):
            yield SH.hasValue, f"NOT EXISTS {{ {x} {path} {sparql_term(value)} }}"
        if self.unique_lang(pshape):
            yield SH.uniqueLang, f"EXISTS {{ {self.unique_lang_pattern(x, path)} }}"
        qualified = self.one(pshape, SH.qualifiedValueShape)
        if qualified is not None:
            self.refuse_disjoint(pshape)
            conforming = "!(" + self.violates(qualified, "%V%", depth + 1) + ")"
            low = self.one(pshape, SH.qualifiedMinCount)
            high = self.one(pshape, SH.qualifiedMaxCount)
            if low is not None and _int(low) > 0:
                pattern = self.distinct_values(x, path, _int(low), conforming)
                yield SH.qualifiedMinCount, "NOT EXISTS " + pattern
            if high is not None:
                pattern = self.distinct_values(x, path, _int(high) + 1, conforming)
                yield SH.qualifiedMaxCount, "EXISTS " + pattern
        if (pshape, SH.sparql, None) in self.g or (pshape, SH.property, None) in self.g:
            raise Unsupported(f"sh:sparql or sh:property inside the property shape {pshape}")

    def count_queries(
        self, pshape: Node, target: str, path: str
    ) -> Iterator[tuple[URIRef, str, int, str]]:
        """(parameter, comparison, bound, query) per sh:minCount/sh:maxCount of ``pshape``
        (SHACL 4.2.1-2): one grouping query counts the values of every focus node once for all
        of them; a lone ``sh:minCount 1`` is a cheaper NOT EXISTS."""
        bounds = [(SH.minCount, "<", _int(n)) for n in self.g.objects(pshape, SH.minCount)]
        bounds = [b for b in bounds if b[2] > 0]
        bounds += [(SH.maxCount, ">", _int(n)) for n in self.g.objects(pshape, SH.maxCount)]
        if bounds == [(SH.minCount, "<", 1)]:
            query = f"SELECT ?this WHERE {{ {target} FILTER NOT EXISTS {{ ?this {path} ?_v }} }}"
            yield SH.minCount, "<", 1, query
            return
        if not bounds:
            return
        # No value at all counts 0 only for minCount; maxCount needs no OPTIONAL.
        values = f"?this {path} ?_v"
        if any(op == "<" for _p, op, _n in bounds):
            values = f"OPTIONAL {{ {values} }}"
        # Oxigraph's HAVING does not see select aliases, so the count is written out.
        having = " || ".join(f"COUNT(DISTINCT ?_v) {op} {n}" for _p, op, n in bounds)
        query = (
            f"SELECT ?this (COUNT(DISTINCT ?_v) AS ?_n) WHERE {{ {target} {values} }} "
            f"GROUP BY ?this HAVING ({having})"
        )
        for pred, op, n in bounds:
            yield pred, op, n, query

    def unique_lang(self, pshape: Node) -> bool:
        return any(_true(v) for v in self.g.objects(pshape, SH.uniqueLang))

    def unique_lang_pattern(self, x: str, path: str, a: str | None = None) -> str:
        a, b = a or self.var("a"), self.var("b")
        return (
            f"{x} {path} {a} . {x} {path} {b} . "
            f'FILTER(!sameTerm({a}, {b}) && isLiteral({a}) && lang({a}) != "" '
            f"&& LCASE(lang({a})) = LCASE(lang({b})))"
        )

    def refuse_disjoint(self, pshape: Node) -> None:
        if any(_true(v) for v in self.g.objects(pshape, SH.qualifiedValueShapesDisjoint)):
            raise Unsupported("sh:qualifiedValueShapesDisjoint")

    def violates(self, shape: Node, x: str, depth: int = 0) -> str:
        """A SPARQL expression, true iff node ``x`` does not conform to ``shape`` (SHACL 2.3)."""
        if depth > 16:
            raise Unsupported(f"recursive shapes through {shape}")
        if self.deactivated(shape):
            return "false"
        self.check_parameters(shape)
        if (shape, SH.sparql, None) in self.g:
            raise Unsupported(f"sh:sparql inside a nested shape {shape}")
        if (shape, SH.path, None) in self.g:
            parts = [expr for _p, expr in self.property_exprs(shape, x, depth)]
        else:
            parts = [expr for _p, expr in self.value_exprs(shape, x, depth)]
            for value in self.g.objects(shape, SH.hasValue):
                parts.append(f"!sameTerm({x}, {sparql_term(value)})")
        for pshape in self.g.objects(shape, SH.property):
            if not self.deactivated(pshape):
                parts += [expr for _p, expr in self.property_exprs(pshape, x, depth)]
        return "(" + (" || ".join(parts) or "false") + ")"

    # -- top-level shapes: one query per constraint ---------------------------------------------
    def compile(self) -> Compiled:
        """Every targeted, active shape as checks; shapes with unsupported constructs listed."""
        out = Compiled()
        for shape in self.top_level_shapes():
            try:
                out.checks += self.compile_shape(shape)
            except Unsupported as exc:
                out.unsupported[shape] = str(exc)
        return out

    def top_level_shapes(self) -> list[Node]:
        g = self.g
        preds = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)
        shapes = {s for p in preds for s in g.subjects(p, None)}
        shapes |= {s for s in g.subjects(RDF.type, SH.NodeShape) if self.is_class(s)}
        return sorted((s for s in shapes if not self.deactivated(s)), key=str)

    def is_class(self, node: Node) -> bool:
        return (node, RDF.type, RDFS.Class) in self.g or (
            node,
            RDF.type,
            URIRef("http://www.w3.org/2002/07/owl#Class"),
        ) in self.g

    def prefixes(self, node: Node, into: dict[str, str]) -> None:
        """Collect the ``sh:prefixes`` declarations of a SPARQL-based constraint or target."""
        for holder in self.g.objects(node, SH.prefixes):
            for decl in self.g.objects(holder, SH.declare):
                prefix, ns = self.one(decl, SH.prefix), self.one(decl, SH.namespace)
                self.add_prefix(into, str(prefix), str(ns))

    @staticmethod
    def add_prefix(into: dict[str, str], prefix: str, ns: str) -> None:
        if into.get(prefix, ns) != ns:
            raise Unsupported(f"prefix {prefix}: declared with two namespaces")
        into[prefix] = ns

    def user_select(self, node: Node, prefixes: dict[str, str], constraint: bool) -> str:
        """The ``sh:select`` of ``node`` with its PREFIX lines moved into ``prefixes`` and
        ``$this`` written ``?this``."""
        select = self.one(node, SH.select)
        if select is None:
            raise Unsupported(f"a SPARQL constraint or target {node} without sh:select")
        text = str(select)
        self.prefixes(node, prefixes)
        while match := _PREFIX_DECL.match(text):
            self.add_prefix(prefixes, match.group(1), match.group(2))
            text = text[match.end() :]
        if re.search(r"^\s*BASE\b", text, re.IGNORECASE):
            raise Unsupported(f"BASE in the SPARQL of {node}")
        if constraint and (
            _PREBINDING_SENSITIVE.search(text) or len(re.findall(r"\bSELECT\b", text, re.I)) > 1
        ):
            raise Unsupported(f"a SPARQL constraint whose meaning depends on pre-binding ({node})")
        text = re.sub(r"\$this\b", "?this", text)
        head = re.match(r"\s*SELECT\s+(DISTINCT\s+|REDUCED\s+)?", text, re.IGNORECASE)
        if head is None:
            raise Unsupported(f"the SPARQL of {node} is not a SELECT query")
        rest = text[head.end() :]
        if not re.match(r"(\*|[^{]*\?this\b)", rest):
            text = text[: head.end()] + "?this " + rest
        return text

    def target_pattern(self, shape: Node, prefixes: dict[str, str]) -> str:
        """A sub-select of the focus nodes of ``shape`` (SHACL 2.1.3, SHACL-AF 5.1)."""
        g, parts = self.g, []
        classes = list(g.objects(shape, SH.targetClass))
        if self.is_class(shape):
            classes.append(shape)
        parts += [f"{{ {self.instance_of('?this', c)} }}" for c in classes]
        nodes = [sparql_term(n) for n in g.objects(shape, SH.targetNode)]
        if nodes:
            parts.append(f"{{ VALUES ?this {{ {' '.join(nodes)} }} }}")
        parts += [
            f"{{ ?this {sparql_term(p)} ?_o }}" for p in g.objects(shape, SH.targetSubjectsOf)
        ]
        parts += [f"{{ ?_s {sparql_term(p)} ?this }}" for p in g.objects(shape, SH.targetObjectsOf)]
        for target in g.objects(shape, SH.target):
            if (target, RDF.type, SH.SPARQLTarget) not in g:
                raise Unsupported(f"a custom target {target} that is not a sh:SPARQLTarget")
            parts.append("{ " + self.user_select(target, prefixes, constraint=False) + " }")
        return "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join(parts) + " } }"

    def compile_shape(self, shape: Node) -> list[Check]:
        self.check_parameters(shape)
        prefixes: dict[str, str] = {}
        target = self.target_pattern(shape, prefixes)
        checks: list[Check] = []
        if (shape, SH.path, None) in self.g:
            checks += self.property_checks(shape, target)
        else:
            checks += self.node_checks(shape, target, prefixes)
        for pshape in self.g.objects(shape, SH.property):
            if not self.deactivated(pshape):
                checks += self.property_checks(pshape, target)
        head = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(prefixes.items()))
        for check in checks:
            check.query = head + check.query
        return checks

    def make(
        self,
        shape: Node,
        pred: URIRef,
        query: str,
        value: str | None,
        path: Node | None = None,
        generic: str | None = None,
    ) -> Check:
        messages = self.messages(shape)
        if not messages:
            if generic is None:
                raise Unsupported(f"no sh:message on {shape} for {pred.n3()}")
            messages = [Literal(generic)]
        return Check(shape, _COMPONENT[pred], query, path, messages, self.severity(shape), value)

    def generic(self, shape: Node, pred: URIRef) -> str | None:
        """pySHACL's default message, for the components whose text needs no data node."""
        values = list(self.g.objects(shape, pred))
        if pred == SH["class"] and len(values) == 1:
            return f"Value does not have class {stringify_node(self.g, values[0])}"
        if pred == SH.datatype and len(values) == 1:
            return f"Value is not Literal with datatype {stringify_node(self.g, values[0])}"
        return None

    def node_checks(self, shape: Node, target: str, prefixes: dict[str, str]) -> list[Check]:
        checks = []
        exprs = list(self.value_exprs(shape, "?this", 0))
        for (pred, _e), (query, flag) in zip(exprs, folded("?this", target, exprs), strict=True):
            check = self.make(shape, pred, query, "focus", None, self.generic(shape, pred))
            check.flag = flag
            checks.append(check)
        for value in self.g.objects(shape, SH.hasValue):
            query = (
                f"SELECT DISTINCT ?this WHERE {{ {target} "
                f"FILTER(!sameTerm(?this, {sparql_term(value)})) }}"
            )
            checks.append(self.make(shape, SH.hasValue, query, None))
        for constraint in self.g.objects(shape, SH.sparql):
            if self.deactivated(constraint):
                continue
            inner = self.user_select(constraint, prefixes, constraint=True)
            messages = self.messages(shape)
            messages += [m for m in self.messages(constraint) if m not in messages]
            if not messages:
                raise Unsupported(f"no sh:message on the SPARQL constraint {constraint}")
            query = f"SELECT * WHERE {{ {target} {{ {inner} }} }}"
            checks.append(
                Check(
                    shape,
                    _COMPONENT[SH.sparql],
                    query,
                    None,
                    messages,
                    self.severity(shape),
                    "sparql",
                    source_constraint=constraint,
                    substitute=True,
                )
            )
        return checks

    def property_checks(self, pshape: Node, target: str) -> list[Check]:
        self.check_parameters(pshape)
        if (pshape, SH.sparql, None) in self.g or (pshape, SH.property, None) in self.g:
            raise Unsupported(f"sh:sparql or sh:property inside the property shape {pshape}")
        path_node = self.one(pshape, SH.path)
        path = self.path(path_node)
        checks = []

        def add(pred: URIRef, query: str, value: str | None) -> None:
            checks.append(
                self.make(pshape, pred, query, value, path_node, self.generic(pshape, pred))
            )

        exprs = list(self.value_exprs(pshape, "?value", 0))
        values = f"{target} ?this {path} ?value"
        for (pred, _e), (query, flag) in zip(
            exprs, folded("?this ?value", values, exprs), strict=True
        ):
            add(pred, query, "value")
            checks[-1].flag = flag
        for pred, op, n, query in self.count_queries(pshape, target, path):
            add(pred, query, None)
            checks[-1].count = (op, n) if "?_n" in query else None
        for value in self.g.objects(pshape, SH.hasValue):
            query = (
                f"SELECT ?this WHERE {{ {target} "
                f"FILTER NOT EXISTS {{ ?this {path} {sparql_term(value)} }} }}"
            )
            add(SH.hasValue, query, None)
        if self.unique_lang(pshape):
            query = (
                f"SELECT DISTINCT ?this ?_lang WHERE {{ {target} "
                f"{self.unique_lang_pattern('?this', path, '?_a')} BIND(LCASE(lang(?_a)) AS ?_lang) }}"
            )
            add(SH.uniqueLang, query, None)
        qualified = self.one(pshape, SH.qualifiedValueShape)
        if qualified is not None:
            self.refuse_disjoint(pshape)
            conforming = "!" + self.violates(qualified, "?_q", 1)
            low = self.one(pshape, SH.qualifiedMinCount)
            high = self.one(pshape, SH.qualifiedMaxCount)
            if low is not None and _int(low) > 0:
                query = (
                    f"SELECT ?this WHERE {{ {target} OPTIONAL {{ ?this {path} ?_q "
                    f"FILTER({conforming}) }} }} "
                    f"GROUP BY ?this HAVING (COUNT(DISTINCT ?_q) < {_int(low)})"
                )
                add(SH.qualifiedMinCount, query, None)
            if high is not None:
                query = (
                    f"SELECT ?this WHERE {{ {target} ?this {path} ?_q FILTER({conforming}) }} "
                    f"GROUP BY ?this HAVING (COUNT(DISTINCT ?_q) > {_int(high)})"
                )
                add(SH.qualifiedMaxCount, query, None)
        return checks


def folded(
    head: str, pattern: str, exprs: list[tuple[URIRef, str]]
) -> list[tuple[str, str | None]]:
    """One query for all of ``exprs`` ("x violates constraint i") over the rows of
    ``pattern``: (query, flag variable) per expression. The rows are joined once and each
    expression bound to ``?_fI`` (an error counts as no violation, as in a FILTER), so a shape
    with several value constraints walks its values once instead of once per constraint."""
    if len(exprs) == 1:
        return [(f"SELECT DISTINCT {head} WHERE {{ {pattern} FILTER({exprs[0][1]}) }}", None)]
    flags = [f"?_f{i}" for i in range(len(exprs))]
    binds = " ".join(
        f"BIND(COALESCE({expr}, false) AS {flag})"
        for (_p, expr), flag in zip(exprs, flags, strict=True)
    )
    query = (
        f"SELECT DISTINCT {head} {' '.join(flags)} WHERE {{ {pattern} {binds} "
        f"FILTER({' || '.join(flags)}) }}"
    )
    return [(query, flag) for flag in flags]


def compile_shapes(
    shapes: Graph, subclasses: Callable[[Node], list[Node]] | None = None
) -> Compiled:
    """Compile every targeted shape of ``shapes`` (see :class:`ShapeCompiler`); ``subclasses``
    gives a class and its subclasses in the data (``rdfs:subClassOf*``), if known."""
    return ShapeCompiler(shapes, subclasses).compile()
