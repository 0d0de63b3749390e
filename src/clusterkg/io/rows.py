"""Rows -> RDF: the per-row checks (types, ranges, units, duplicates, references) and triples.

Each kind of template has one builder. A builder reads the cells of one row, adds the row's
triples to the import graph and returns the problems it found; a row with any problem adds
nothing, so the caller can report every bad row before anything is written.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from clusterkg.io.csv_read import FORMULA, RowError
from clusterkg.io.references import Resolver, normalise
from clusterkg.io.templates import APPROXIMATIONS, ITEM_SCHEME, Column, Template
from clusterkg.vocab import CK, CUR, ID, UNIT, WGS84, local_name

UNITS = {
    "NUM": UNIT.NUM,
    "PERCENT": UNIT.PERCENT,
    "UNITLESS": UNIT.UNITLESS,
    "CNY": CUR.CNY,
    "USD": CUR.USD,
    "EUR": CUR.EUR,
    "W": UNIT.W,
    "M2": UNIT.M2,
    "PERSON": UNIT.PERSON,
}
_PERIOD = (
    (re.compile(r"^\d{4}$"), XSD.gYear),
    (re.compile(r"^\d{4}-(0[1-9]|1[0-2])$"), XSD.gYearMonth),
    (re.compile(r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"), XSD.date),
)
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def slug(text: str) -> str:
    """A readable IRI slug: ASCII lower case words joined by ``-`` (README, "IRIs")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    out = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if not out:  # a name in Chinese only: a stable slug from its hash
        out = "x-" + hashlib.sha1(text.encode()).hexdigest()[:10]
    return out


@dataclass
class Build:
    """The import graph under construction and what each row contributed."""

    graph: Graph
    source: URIRef
    resolver: Resolver
    row_of: dict[str, int] = field(default_factory=dict)  # node IRI -> row that made it
    keys: dict[tuple, int] = field(default_factory=dict)  # duplicate keys -> first row
    added: dict[str, int] = field(default_factory=dict)  # class local name -> count


class RowReader:
    """Typed access to the cells of one row; every problem is collected as a RowError."""

    def __init__(
        self, template: Template, row_no: int, cells: dict[str, str], resolver: Resolver
    ) -> None:
        self.template = template
        self.row = row_no
        self.cells = cells
        self.resolver = resolver
        self.errors: list[RowError] = []

    def fail(self, column: str, value: str, reason: str) -> None:
        self.errors.append(RowError(self.row, column, value, reason))

    def raw(self, name: str) -> str:
        return self.cells.get(name, "") or ""

    def get(self, name: str):
        """The cell ``name`` parsed by its column type; None when empty or wrong."""
        column = self.template.column(name)
        value = self.raw(name)
        if not value:
            if column.required:
                self.fail(name, value, "required column is empty")
            return None
        parse = _PARSERS[column.type]
        return parse(self, column, value)


def _text(r: RowReader, col: Column, value: str):
    if FORMULA.match(value):
        r.fail(
            col.name,
            value,
            "looks like a spreadsheet formula (starts with = + - @); export values, not formulas",
        )
        return None
    return value


def _quote(r: RowReader, col: Column, value: str):
    text = _text(r, col, value)
    if text is not None and len(text) < 8:
        r.fail(col.name, value, "a quote is a passage of at least 8 characters")
        return None
    return text


def _texts(r: RowReader, col: Column, value: str):
    parts = [p.strip() for p in value.split("|") if p.strip()]
    out = [_text(r, col, p) for p in parts]
    return None if None in out else out


def _number(r: RowReader, col: Column, value: str):
    text = value.replace("_", "")
    if not _NUMBER.match(text):
        hint = (
            " (use a point as decimal separator, no thousands separators)"
            if re.match(r"^[\d.,\s]+$", value)
            else ""
        )
        r.fail(col.name, value, f"not a number{hint}")
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        r.fail(col.name, value, "not a number")
        return None


def _integer(r: RowReader, col: Column, value: str):
    number = _number(r, col, value)
    if number is not None and number != number.to_integral_value():
        r.fail(col.name, value, "not a whole number")
        return None
    return None if number is None else int(number)


def _bounded(low: int, high: int):
    def parse(r: RowReader, col: Column, value: str):
        number = _number(r, col, value)
        if number is not None and not (low <= number <= high):
            r.fail(col.name, value, f"out of range {low}..{high}")
            return None
        return number

    return parse


def _period(r: RowReader, col: Column, value: str):
    for pattern, datatype in _PERIOD:
        if pattern.match(value):
            return Literal(value, datatype=datatype)
    r.fail(col.name, value, "not a period: use YYYY, YYYY-MM or YYYY-MM-DD")
    return None


def _enum(r: RowReader, col: Column, value: str):
    for choice in col.choices:
        if value.lower() == choice.lower() or value.lower() == f"ck:{choice.lower()}":
            return choice
    r.fail(col.name, value, f"not one of: {', '.join(col.choices)}")
    return None


def _url(r: RowReader, col: Column, value: str):
    if not re.match(r"^https?://[^\s<>\"{}|\\^`]+$", value):
        r.fail(col.name, value, "not an http(s) address")
        return None
    return URIRef(value)


def _id(r: RowReader, col: Column, value: str):
    if value.startswith(("http://", "https://")):
        if not re.match(r"^https?://[^\s<>\"{}|\\^`]+$", value):
            r.fail(col.name, value, "not a valid IRI")
            return None
        return URIRef(value)
    if not re.match(r"^[a-z0-9][a-z0-9-]*(/[a-z0-9][a-z0-9-]*)?$", value):
        r.fail(col.name, value, "an id is an IRI or a slug of lower-case ASCII words and -")
        return None
    return URIRef(ID[value]) if "/" in value else value


def _ref(r: RowReader, col: Column, value: str):
    iri, reason = r.resolver.resolve(
        value, col.classes, col.scheme, added_by=col.added_by, list_all=col.list_all
    )
    if reason or iri is None:
        r.fail(col.name, value, reason or "does not resolve")
        return None
    return URIRef(iri)


def _refs(r: RowReader, col: Column, value: str):
    out = [_ref(r, col, p.strip()) for p in value.split("|") if p.strip()]
    return None if None in out else out


_PARSERS: dict[str, Callable] = {
    "text": _text,
    "quote": _quote,
    "texts": _texts,
    "number": _number,
    "integer": _integer,
    "lat": _bounded(-90, 90),
    "long": _bounded(-180, 180),
    "period": _period,
    "enum": _enum,
    "url": _url,
    "id": _id,
    "ref": _ref,
    "refs": _refs,
}


def _mint(b: Build, r: RowReader, id_value, folder: str, name: str) -> URIRef:
    if isinstance(id_value, URIRef):
        return id_value
    return URIRef(ID[f"{folder}/{id_value or slug(name)}"])


def _mint_dated(
    b: Build, r: RowReader, v: Mapping[str, object], folder: str, tail: list[str]
) -> URIRef | None:
    """The node of a dated fact's row: its ``id``, else ``folder/`` and ``tail`` with the row's
    period; None (the row failed) when the graph has that node already."""
    if v["period"] is not None:
        tail = [*tail, str(v["period"])]
    node = _mint(b, r, v["id"], folder, "-".join(tail))
    return node if _new_node(b, r, node) else None


def _decimal(value: Decimal) -> Literal:
    if value == value.to_integral_value() and "e" not in str(value).lower():
        return Literal(int(value))
    return Literal(value, datatype=XSD.decimal)


def _duplicate(b: Build, r: RowReader, key: tuple, column: str, value: str) -> bool:
    first = b.keys.get(key)
    if first is not None:
        r.fail(column, value, f"duplicate of row {first}")
        return True
    b.keys[key] = r.row
    return False


def _fact(b: Build, node: URIRef, r: RowReader, quote, note) -> None:
    g = b.graph
    g.add((node, PROV.wasDerivedFrom, b.source))
    if quote:
        g.add((node, CK.quote, Literal(quote)))
    if note:
        g.add((node, CK.note, Literal(note, lang="en")))


# ----- named nodes: enterprises, items, regions -----
def plan_named(
    b: Build, r: RowReader, folder: str, cls: str, kind: str, scheme: str = ""
) -> URIRef | None:
    """First pass: mint the IRI of a row that names a node (of class ``cls``, typed ``kind``)
    so that other rows can refer to it; refuse a name another node of ``cls`` already has."""
    name_en, name_zh = r.get("name_en"), r.get("name_zh")
    id_value = r.get("id")
    aliases = r.get("aliases") or []
    if not name_en and not name_zh:
        if not r.raw("name_en") and not r.raw("name_zh"):
            r.fail("name_en", "", "name_en or name_zh is required")
        return None
    if r.errors:
        return None
    node = _mint(b, r, id_value, folder, name_en or name_zh)
    if name_en and _duplicate(b, r, ("name", cls, normalise(name_en)), "name_en", name_en):
        return None
    if _duplicate(b, r, ("iri", str(node)), "id", str(node)):
        return None
    existing = b.resolver.types_of(str(node))
    if existing is not None and name_en:
        labels = b.resolver.english_labels(str(node))
        if labels and name_en not in labels:
            r.fail(
                "name_en",
                name_en,
                f"{node} is already labelled {sorted(labels)[0]!r}; one English label per node",
            )
            return None
    if existing is None and name_en:
        same = [
            i
            for i, t in b.resolver.by_label(name_en).items()
            if b.resolver.fits(i, t, [cls], scheme) and i not in b.resolver.local
        ]
        if same:
            r.fail(
                "name_en",
                name_en,
                f"already in the graph as {', '.join(sorted(same))}; "
                "put that IRI in the id column to add to it",
            )
            return None
    b.resolver.add_local(
        str(node),
        [name_en or "", name_zh or "", *aliases],
        [kind],
        r.row,
        [scheme] if scheme else [],
    )
    return node


def _add_names(b: Build, r: RowReader, node: URIRef, kind: URIRef) -> None:
    g = b.graph
    g.add((node, RDF.type, kind))
    if r.get("name_en"):
        g.add((node, RDFS.label, Literal(r.get("name_en"), lang="en")))
    if r.get("name_zh"):
        g.add((node, RDFS.label, Literal(r.get("name_zh"), lang="zh")))
    for alias in r.get("aliases") or []:
        g.add((node, SKOS.altLabel, Literal(alias)))


def _both_or_neither(r: RowReader, values: dict) -> None:
    if (values["lat"] is None) != (values["long"] is None) and not r.errors:
        missing = "long" if values["long"] is None else "lat"
        r.fail(missing, "", "give both lat and long, or neither")


def _add_point(b: Build, node: URIRef, values: dict) -> None:
    if values["lat"] is not None:
        b.graph.add((node, WGS84.lat, Literal(values["lat"], datatype=XSD.decimal)))
        b.graph.add((node, WGS84.long, Literal(values["long"], datatype=XSD.decimal)))


def _made(b: Build, r: RowReader, node: URIRef, what: str) -> None:
    """Record that row ``r`` made ``node`` (for SHACL reports) and count it as ``what``."""
    b.row_of[str(node)] = r.row
    b.added[what] = b.added.get(what, 0) + 1


def plan_enterprise(b: Build, r: RowReader) -> URIRef | None:
    """First pass of an enterprise row (see :func:`plan_named`)."""
    kind = r.get("type") or "Enterprise"
    return plan_named(b, r, "enterprise", str(CK.Enterprise), str(CK[kind]))


def build_enterprise(b: Build, r: RowReader, node: URIRef) -> None:
    """Second pass: the enterprise's triples (references may point at later rows)."""
    values = {
        c: r.get(c)
        for c in ("region", "cluster", "sector", "parent", "lat", "long", "quote", "note")
    }
    _both_or_neither(r, values)
    if values["parent"] is not None and values["parent"] == node:
        r.fail("parent", r.raw("parent"), "an enterprise cannot be its own parent")
    if r.errors:
        return
    g = b.graph
    kind = r.get("type") or "Enterprise"
    _add_names(b, r, node, CK[kind])
    if values["region"] is not None:
        g.add((node, CK.locatedIn, values["region"]))
    for cluster in values["cluster"] or []:
        g.add((node, CK.memberOf, cluster))
    if values["sector"] is not None:
        g.add((node, CK.sector, values["sector"]))
    if values["parent"] is not None:
        g.add((node, CK.subsidiaryOf, values["parent"]))
    _add_point(b, node, values)
    _fact(b, node, r, values["quote"], values["note"])
    _made(b, r, node, kind)


# ----- items (concepts of the supplied-item scheme) -----
def plan_item(b: Build, r: RowReader) -> URIRef | None:
    """First pass of an item row: a new concept of the supplied-item scheme."""
    return plan_named(b, r, "component", str(SKOS.Concept), str(SKOS.Concept), ITEM_SCHEME)


def build_item(b: Build, r: RowReader, node: URIRef) -> None:
    """Second pass: ``node a skos:Concept ; skos:inScheme <components>`` with its broader item,
    code (skos:notation) and definition; the broader item may be a later row."""
    values = {c: r.get(c) for c in ("broader", "code", "definition", "note")}
    if values["broader"] is not None and values["broader"] == node:
        r.fail("broader", r.raw("broader"), "an item cannot be broader than itself")
    if r.errors:
        return
    g = b.graph
    _add_names(b, r, node, SKOS.Concept)
    g.add((node, SKOS.inScheme, URIRef(ITEM_SCHEME)))
    if values["broader"] is not None:
        g.add((node, SKOS.broader, values["broader"]))
    if values["code"]:
        g.add((node, SKOS.notation, Literal(values["code"])))
    if values["definition"]:
        g.add((node, SKOS.definition, Literal(values["definition"], lang="en")))
    _fact(b, node, r, None, values["note"])
    _made(b, r, node, "item")


# ----- regions -----
def plan_region(b: Build, r: RowReader) -> URIRef | None:
    """First pass of a region row (see :func:`plan_named`)."""
    kind = r.get("type") or "Region"
    return plan_named(b, r, "region", str(CK.Region), str(CK[kind]))


def build_region(b: Build, r: RowReader, node: URIRef) -> None:
    """Second pass: a ck:Region (or subclass) ``ck:partOf`` its parent, with its centre."""
    values = {c: r.get(c) for c in ("parent", "lat", "long", "note")}
    _both_or_neither(r, values)
    if values["parent"] is not None and values["parent"] == node:
        r.fail("parent", r.raw("parent"), "a region cannot be part of itself")
    if r.errors:
        return
    kind = r.get("type") or "Region"
    _add_names(b, r, node, CK[kind])
    if values["parent"] is not None:
        b.graph.add((node, CK.partOf, values["parent"]))
    _add_point(b, node, values)
    _fact(b, node, r, None, values["note"])
    _made(b, r, node, kind)


# ----- supply links -----
def build_supply_link(b: Build, r: RowReader) -> None:
    """A ck:SupplyLink from supplier to customer for an item, with value and period."""
    v = {c.name: r.get(c.name) for c in r.template.columns}
    if v["annual_value_cny"] is not None and v["annual_value_cny"] < 0:
        r.fail("annual_value_cny", r.raw("annual_value_cny"), "must be >= 0")
    if v["supplier"] is not None and v["supplier"] == v["customer"]:
        r.fail("customer", r.raw("customer"), "supplier and customer are the same node")
    if r.errors:
        return
    key = ("link", v["supplier"], v["customer"], v["item"], str(v["period"] or ""))
    if _duplicate(b, r, key, "supplier", r.raw("supplier")):
        return
    if v["supplier_location"] is not None and not _locate(b, r, v["supplier"], v):
        return
    tail = [local_name(v["supplier"]), "to", local_name(v["customer"]), local_name(v["item"])]
    node = _mint_dated(b, r, v, "supply", tail)
    if node is None:
        return
    g = b.graph
    g.add((node, RDF.type, CK.SupplyLink))
    g.add((node, CK.supplier, v["supplier"]))
    g.add((node, CK.customer, v["customer"]))
    g.add((node, CK.suppliedItem, v["item"]))
    if v["annual_value_cny"] is not None:
        g.add((node, CK.annualValueCNY, _decimal(v["annual_value_cny"])))
    if v["approximation"]:
        g.add((node, CK.approximation, CK[APPROXIMATIONS[v["approximation"]]]))
    if v["period"] is not None:
        g.add((node, CK.refPeriod, v["period"]))
    _fact(b, node, r, v["quote"], v["note"])
    _made(b, r, node, "SupplyLink")


def _locate(b: Build, r: RowReader, supplier: URIRef, v: dict) -> bool:
    """``supplier ck:locatedIn supplier_location``, unless the graph or an earlier row already
    places the supplier: then the location must be one of those (a supplier is in one place
    per row set; a plant elsewhere is a ck:ProductionSite of its own)."""
    region = v["supplier_location"]
    known = {URIRef(i) for i in b.resolver.objects(str(supplier), str(CK.locatedIn))}
    known |= {URIRef(str(o)) for o in b.graph.objects(supplier, CK.locatedIn)}
    if known and region not in known:
        r.fail(
            "supplier_location",
            r.raw("supplier_location"),
            f"{supplier} is located in {', '.join(sorted(known))}, not {region}",
        )
        return False
    if not known:
        b.graph.add((supplier, CK.locatedIn, region))
        b.graph.add((supplier, PROV.wasDerivedFrom, b.source))
        b.row_of.setdefault(str(supplier), r.row)
    return True


# ----- observations -----
def build_observation(b: Build, r: RowReader, indicator_units: dict[str, str | None]) -> None:
    """A ck:Observation of an indicator for an area; the unit must fit the indicator."""
    v = {c.name: r.get(c.name) for c in r.template.columns}
    if v["unit"] and v["value"] is not None:
        unit = UNITS[v["unit"]]
        if unit == UNIT.PERCENT and not (0 <= v["value"] <= 100):
            r.fail("value", r.raw("value"), "a percentage is 0..100")
        if unit in (UNIT.NUM, UNIT.PERSON) and v["value"] < 0:
            r.fail("value", r.raw("value"), "a count cannot be negative")
        if v["indicator"] is not None:
            expected = indicator_units.get(str(v["indicator"]))
            if expected and not _unit_fits(str(unit), expected):
                r.fail(
                    "unit",
                    r.raw("unit"),
                    f"{local_name(v['indicator'])} is measured in {local_name(URIRef(expected))}",
                )
    if r.errors:
        return
    key = ("obs", v["indicator"], v["area"], str(v["period"] or ""))
    if _duplicate(b, r, key, "indicator", r.raw("indicator")):
        return
    node = _mint_dated(b, r, v, "obs", [local_name(v["area"]), slug(local_name(v["indicator"]))])
    if node is None:
        return
    g = b.graph
    g.add((node, RDF.type, CK.Observation))
    g.add((node, CK.indicator, v["indicator"]))
    g.add((node, CK.refArea, v["area"]))
    g.add((node, CK.value, _decimal(v["value"])))
    g.add((node, CK.unit, UNITS[v["unit"]]))
    if v["period"] is not None:
        g.add((node, CK.refPeriod, v["period"]))
    if v["approximation"]:
        g.add((node, CK.approximation, CK[APPROXIMATIONS[v["approximation"]]]))
    if v["stated_value"]:
        g.add((node, CK.statedValue, Literal(v["stated_value"])))
    _fact(b, node, r, v["quote"], v["note"])
    _made(b, r, node, "Observation")


def _unit_fits(unit: str, expected: str) -> bool:
    # Money indicators are "in yuan unless the observation gives another currency" (ontology).
    return unit == expected or (unit.startswith(str(CUR)) and expected.startswith(str(CUR)))


# ----- memberships -----
def build_membership(b: Build, r: RowReader, existing: Callable[[URIRef, URIRef], bool]) -> None:
    """``member ck:memberOf cluster``, with the import as its source."""
    member, cluster = r.get("member"), r.get("cluster")
    quote, note = r.get("quote"), r.get("note")
    if r.errors:
        return
    if _duplicate(b, r, ("member", member, cluster), "member", r.raw("member")):
        return
    if existing(member, cluster):
        r.fail(
            "member", r.raw("member"), f"the graph already says {member} is a member of {cluster}"
        )
        return
    b.graph.add((member, CK.memberOf, cluster))
    _fact(b, member, r, quote, note)
    b.row_of.setdefault(str(member), r.row)
    b.added["membership"] = b.added.get("membership", 0) + 1


# ----- policies -----
def build_policy(b: Build, r: RowReader) -> None:
    """A ck:Policy (or Plan, Agreement) with its issuers, targets and date."""
    v = {c.name: r.get(c.name) for c in r.template.columns}
    if not v["title_en"] and not v["title_zh"] and not r.raw("title_en") and not r.raw("title_zh"):
        r.fail("title_en", "", "title_en or title_zh is required")
    if r.errors:
        return
    title = v["title_en"] or v["title_zh"]
    if _duplicate(b, r, ("title", normalise(title)), "title_en", title):
        return
    node = _mint(b, r, v["id"], "policy", title)
    if _duplicate(b, r, ("iri", str(node)), "id", str(node)) or not _new_node(b, r, node):
        return
    g = b.graph
    kind = v["type"] or "Policy"
    g.add((node, RDF.type, CK[kind]))
    if v["title_en"]:
        g.add((node, RDFS.label, Literal(v["title_en"], lang="en")))
    if v["title_zh"]:
        g.add((node, RDFS.label, Literal(v["title_zh"], lang="zh")))
    for body in v["issued_by"] or []:
        g.add((node, CK.issuedBy, body))
    for target in v["targets"] or []:
        g.add((node, CK.targets, target))
    if v["issued"] is not None:
        g.add((node, DCTERMS.issued, v["issued"]))
    if v["url"] is not None:
        g.add((node, URIRef("https://schema.org/url"), v["url"]))
    _fact(b, node, r, v["quote"], v["note"])
    _made(b, r, node, kind)


def _new_node(b: Build, r: RowReader, node: URIRef) -> bool:
    if b.resolver.types_of(str(node)) is not None:
        r.fail("id", r.raw("id") or str(node), f"{node} is already in the graph (duplicate)")
        return False
    return True
