"""The column templates of ``clusterkg import``: one per kind of row an analyst brings.

A template says which columns a CSV file of that kind has, which are required, what each holds
(text, a number, a year, a reference to something in the graph) and gives one example row.
Every example row is fictitious and says so (``EXAMPLE``, ``Example Battery Co.``): the project
never invents facts. The supply-link, observation and membership examples refer to the
enterprises example, so they import after it; they name real places and concepts only as
references.
``clusterkg import --template KIND`` prints the header and the example; docs/data-io.md lists
the same templates for people.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace

from clusterkg.vocab import CK, ID, ORG, SKOS

#: Column value types. ``ref`` resolves by IRI, label or alias; ``refs`` is a ``|``-list of them.
TYPES = (
    "text",
    "quote",
    "texts",
    "ref",
    "refs",
    "number",
    "integer",
    "period",
    "enum",
    "lat",
    "long",
    "url",
    "id",
)


@dataclass(frozen=True)
class Column:
    """One column of a template: its name, whether it is required, its type and a hint."""

    name: str
    type: str
    required: bool = False
    help: str = ""
    classes: tuple[str, ...] = ()  # for ref/refs: the classes a referenced node may have
    choices: tuple[str, ...] = ()  # for enum
    scheme: str = ""  # for ref/refs: the skos:ConceptScheme a referenced concept must be in
    added_by: str = ""  # for ref/refs: the import kind that adds nodes this column refers to
    list_all: bool = False  # for ref/refs: an unknown value's error lists every valid node


@dataclass(frozen=True)
class Template:
    """The columns of one import kind, the IRI folder its rows mint, and one example row."""

    kind: str
    folder: str
    columns: tuple[Column, ...]
    example: dict[str, str]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


ENTERPRISE_TYPES = (
    "Enterprise",
    "VehicleManufacturer",
    "PartsSupplier",
    "BatteryMaker",
    "DriveMotorMaker",
    "ElectronicsMaker",
    "PowertrainMaker",
    "Manufacturer",
    "TechnologyCompany",
    "ServiceCompany",
)
POLICY_TYPES = ("Policy", "Plan", "Agreement")
REGION_TYPES = ("Region", "Country", "Province", "City", "District", "EconomicRegion")
#: The concept scheme of what supply links carry (ontology/schemes.ttl), extended by --kind items.
ITEM_SCHEME = str(ID["scheme/components"])
#: The concept scheme of industry sectors (ontology/schemes.ttl).
SECTOR_SCHEME = str(ID["scheme/sectors"])
#: ``approximation`` column values -> ck:ApproximationQualifier local names.
APPROXIMATIONS = {
    "about": "About",
    "more-than": "MoreThan",
    "nearly": "Nearly",
    "less-than": "LessThan",
    "at-least": "AtLeast",
    "target": "Target",
}

_ID_HELP = "optional: an IRI, or a slug for the IRI (made from the English name when empty)"
_QUOTE_HELP = "optional: the passage of your source that states the row (8+ characters)"
_QUOTE_REQUIRED = "the passage of your source that states the row, verbatim (8+ characters)"
_REGISTER_QUOTE_HELP = "optional for a private register: a passage of it (8+ characters)"
_PARTY = (str(CK.Enterprise), str(CK.EnterpriseGroup), str(CK.ProductionSite))
_ORGANISATION = (str(ORG.Organization), str(ORG.FormalOrganization))
_REGION = (str(CK.Region),)
_CONCEPT = (str(SKOS.Concept),)


def _region_column(name: str, help: str) -> Column:
    return Column(name, "ref", help=help, classes=_REGION, added_by="regions")


def _item_column(name: str, help: str, *, required: bool = False) -> Column:
    return Column(
        name,
        "ref",
        required=required,
        help=help,
        classes=_CONCEPT,
        scheme=ITEM_SCHEME,
        added_by="items",
        list_all=True,
    )


#: The columns that name a node and its place, shared by enterprises, items and regions.
_NAME_COLUMNS = (
    Column("id", "id", help=_ID_HELP),
    Column("name_en", "text", required=True, help="English name (rdfs:label @en)"),
    Column("name_zh", "text", help="Chinese name as written (rdfs:label @zh)"),
)

TEMPLATES: dict[str, Template] = {
    "enterprises": Template(
        "enterprises",
        "enterprise",
        (
            *_NAME_COLUMNS,
            Column(
                "type", "enum", help="the ck: class, default Enterprise", choices=ENTERPRISE_TYPES
            ),
            Column("aliases", "texts", help="other names, separated by |"),
            _region_column("region", "where it is based: a region"),
            Column(
                "cluster",
                "refs",
                help="industrial clusters it belongs to (ck:memberOf), |",
                classes=(str(CK.IndustrialCluster),),
            ),
            Column(
                "sector",
                "ref",
                help="a concept of the sector scheme",
                classes=_CONCEPT,
                scheme=SECTOR_SCHEME,
            ),
            Column(
                "parent",
                "ref",
                help="parent company (ck:subsidiaryOf), may be another row",
                classes=(str(CK.Enterprise),),
            ),
            Column("lat", "lat", help="WGS84 latitude, -90..90"),
            Column("long", "long", help="WGS84 longitude, -180..180"),
            Column("quote", "quote", help=_QUOTE_HELP),
            Column("note", "text", help="optional editor's note"),
        ),
        {
            "id": "",
            "name_en": "Example Battery Co.",
            "name_zh": "示例电池有限公司",
            "type": "BatteryMaker",
            "aliases": "EXAMPLE Battery|ExBat",
            "region": "Chengdu",
            "cluster": "",
            "sector": "auto parts manufacturing",
            "parent": "",
            "lat": "30.66",
            "long": "104.07",
            "quote": "",
            "note": "EXAMPLE: a fictitious company showing the format; replace this row",
        },
    ),
    "supply-links": Template(
        "supply-links",
        "supply",
        (
            Column("id", "id", help=_ID_HELP),
            Column(
                "supplier",
                "ref",
                required=True,
                help="enterprise, site or supplier group",
                classes=_PARTY,
            ),
            Column(
                "customer",
                "ref",
                required=True,
                help="enterprise or enterprise group",
                classes=(str(CK.Enterprise), str(CK.EnterpriseGroup)),
            ),
            _item_column(
                "item", "an item of the supplied-item scheme (add yours: kind items)", required=True
            ),
            Column("annual_value_cny", "number", help="yuan per year, >= 0, base units"),
            _region_column(
                "supplier_location",
                "where the supplier is (ck:locatedIn), if the graph does not say yet",
            ),
            Column(
                "approximation",
                "enum",
                help="about, more-than, nearly, ...",
                choices=tuple(APPROXIMATIONS),
            ),
            Column("period", "period", help="YYYY, YYYY-MM or YYYY-MM-DD"),
            Column("quote", "quote", required=True, help=_QUOTE_REQUIRED),
            Column("note", "text", help="optional editor's note"),
        ),
        {
            "id": "",
            "supplier": "Example Battery Co.",
            "customer": "Changan Automobile",
            "item": "power battery",
            "annual_value_cny": "123456789",
            "supplier_location": "",
            "approximation": "about",
            "period": "2024",
            "quote": "EXAMPLE: a fictitious row showing the format, not a real supply relation",
            "note": "the supplier is the fictitious enterprises example; replace this row",
        },
    ),
    "observations": Template(
        "observations",
        "obs",
        (
            Column("id", "id", help=_ID_HELP),
            Column(
                "indicator",
                "ref",
                required=True,
                help="a ck:Indicator by name (VehicleOutput) or label (vehicle output)",
                classes=(str(CK.Indicator),),
            ),
            Column(
                "area",
                "ref",
                required=True,
                help="region, cluster, enterprise or group",
                classes=(
                    str(CK.Region),
                    str(CK.IndustrialCluster),
                    str(CK.Enterprise),
                    str(CK.EnterpriseGroup),
                ),
            ),
            Column("value", "number", required=True, help="the value in base units"),
            Column(
                "unit",
                "enum",
                required=True,
                help="NUM, PERCENT, UNITLESS, CNY, USD, EUR, W, M2 or PERSON",
                choices=("NUM", "PERCENT", "UNITLESS", "CNY", "USD", "EUR", "W", "M2", "PERSON"),
            ),
            Column("period", "period", help="YYYY, YYYY-MM or YYYY-MM-DD"),
            Column(
                "approximation",
                "enum",
                help="about, more-than, nearly, ...",
                choices=tuple(APPROXIMATIONS),
            ),
            Column("stated_value", "text", help="the number as your source writes it"),
            Column("quote", "quote", required=True, help=_QUOTE_REQUIRED),
            Column("note", "text", help="optional editor's note"),
        ),
        {
            "id": "",
            "indicator": "Employment",
            "area": "Example Battery Co.",
            "value": "1234",
            "unit": "PERSON",
            "period": "2024",
            "approximation": "",
            "stated_value": "1,234 staff",
            "quote": "EXAMPLE: a fictitious figure showing the format, not a statistic",
            "note": "the area is the fictitious enterprises example; replace this row",
        },
    ),
    "memberships": Template(
        "memberships",
        "",
        (
            Column(
                "member",
                "ref",
                required=True,
                help="enterprise, university, institute, park, platform or group",
                classes=(
                    str(CK.Enterprise),
                    str(CK.EnterpriseGroup),
                    str(CK.University),
                    str(CK.ResearchInstitute),
                    str(CK.IndustrialPark),
                    str(CK.Platform),
                    str(CK.ProductionSite),
                    *_ORGANISATION,
                ),
            ),
            Column(
                "cluster",
                "ref",
                required=True,
                help="the industrial cluster",
                classes=(str(CK.IndustrialCluster),),
            ),
            Column("quote", "quote", help=_QUOTE_HELP),
            Column("note", "text", help="optional editor's note"),
        ),
        {
            "member": "Example Battery Co.",
            "cluster": "Chengdu-Chongqing automobile industry cluster",
            "quote": "",
            "note": "EXAMPLE: the fictitious enterprises example; replace this row",
        },
    ),
    "policies": Template(
        "policies",
        "policy",
        (
            Column("id", "id", help=_ID_HELP),
            Column("title_en", "text", required=True, help="English title (rdfs:label @en)"),
            Column("title_zh", "text", help="Chinese title as written"),
            Column(
                "type",
                "enum",
                help="Policy, Plan or Agreement (default Policy)",
                choices=POLICY_TYPES,
            ),
            Column(
                "issued_by",
                "refs",
                help="issuing bodies, separated by |",
                classes=(*_ORGANISATION, str(CK.GovernmentBody)),
            ),
            Column(
                "targets",
                "refs",
                help="clusters, regions, sectors or enterprises, |",
                classes=(
                    str(CK.IndustrialCluster),
                    str(CK.Region),
                    str(SKOS.Concept),
                    str(CK.Enterprise),
                ),
            ),
            Column("issued", "period", help="date issued: YYYY, YYYY-MM or YYYY-MM-DD"),
            Column("url", "url", help="http(s) address of the text"),
            Column("quote", "quote", required=True, help=_QUOTE_REQUIRED),
            Column("note", "text", help="optional editor's note"),
        ),
        {
            "id": "",
            "title_en": "EXAMPLE Auto Parts Support Plan (fictitious)",
            "title_zh": "示例汽车零部件扶持计划（虚构）",
            "type": "Plan",
            "issued_by": "",
            "targets": "Chengdu-Chongqing automobile industry cluster",
            "issued": "2024-03-01",
            "url": "https://example.org/plan",
            "quote": "EXAMPLE: a fictitious policy showing the format",
            "note": "replace this row",
        },
    ),
    "items": Template(
        "items",
        "component",
        (
            *_NAME_COLUMNS,
            Column("aliases", "texts", help="other names, separated by |"),
            _item_column("broader", "the broader item it is a kind of, may be another row"),
            Column("code", "text", help="optional: its code in your or a published classification"),
            Column("definition", "text", help="what the item is (skos:definition @en)"),
            Column("note", "text", help="optional editor's note"),
        ),
        {
            "id": "",
            "name_en": "EXAMPLE separator film",
            "name_zh": "示例隔膜",
            "aliases": "EXAMPLE separator",
            "broader": "raw materials and components (unspecified)",
            "code": "EX-001",
            "definition": "EXAMPLE: a fictitious item showing the format; replace this row",
            "note": "",
        },
    ),
    "regions": Template(
        "regions",
        "region",
        (
            *_NAME_COLUMNS,
            Column("type", "enum", help="the ck: class, default Region", choices=REGION_TYPES),
            Column("aliases", "texts", help="other names, separated by |"),
            _region_column(
                "parent", "the larger region it lies in (ck:partOf), may be another row"
            ),
            Column("lat", "lat", help="WGS84 latitude of its centre, -90..90"),
            Column("long", "long", help="WGS84 longitude of its centre, -180..180"),
            Column("note", "text", help="optional editor's note"),
        ),
        {
            "id": "",
            "name_en": "EXAMPLE New District",
            "name_zh": "示例新区",
            "type": "District",
            "aliases": "",
            "parent": "Chengdu",
            "lat": "30.5",
            "long": "104.0",
            "note": "EXAMPLE: a fictitious region showing the format; replace this row",
        },
    ),
}


#: Kinds whose quote a private register need not give (the shapes accept such rows when their
#: source is a ck:PrivateRegister). Enterprises and memberships never require one.
REGISTER_KINDS = ("supply-links",)


def for_register(template: Template, kind: str | None = None) -> Template:
    """``template`` for rows of a private register (an internal supplier list): the same
    columns with the quote optional, since a register states its facts without a passage to
    quote; the import marks their source ck:PrivateRegister instead (docs/data-io.md)."""
    if template.kind not in REGISTER_KINDS:
        return template
    columns = tuple(
        replace(c, required=False, help=_REGISTER_QUOTE_HELP) if c.name == "quote" else c
        for c in template.columns
    )
    example = {**template.example, "quote": ""}
    example["note"] = "EXAMPLE: a fictitious register row (no quote needed); replace this row"
    return replace(template, kind=kind or template.kind, columns=columns, example=example)


#: ``register-links``: supply links of a private register, as their own kind so that
#: ``clusterkg import --kind register-links`` needs no other option.
TEMPLATES["register-links"] = for_register(TEMPLATES["supply-links"], "register-links")
#: The kind whose rows each kind's rows are built as.
BUILT_AS = {kind: kind for kind in TEMPLATES} | {"register-links": "supply-links"}
#: Kinds that are rows of a private register whatever the caller says.
PRIVATE_KINDS = ("register-links",)


def template_csv(kind: str) -> str:
    """The header row and one example row of ``kind``'s template, as CSV text."""
    template = TEMPLATES[kind]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=template.names, lineterminator="\n")
    writer.writeheader()
    writer.writerow(template.example)
    return out.getvalue()
