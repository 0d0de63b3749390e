"""queries/enterprise-suppliers.rq: one row per supply link, whatever the languages of the
labels (a firm with a Chinese name used to double the rows and every sum over them)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from clusterkg.config import Settings
from clusterkg.queries import run_named
from clusterkg.store.kg import open_kg
from clusterkg.vocab import ID

REPO = Path(__file__).resolve().parents[2]
DATA = Path(__file__).parent / "data" / "suppliers"


def test_one_row_per_link_english_label_preferred(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    for name in ("ontology", "queries"):
        (home / name).symlink_to(REPO / name)
    (home / "graphs").symlink_to(DATA)
    kg = open_kg(Settings.from_env(root=home, store="memory"))
    try:
        res = run_named(kg, "enterprise-suppliers", {"customer": str(ID["enterprise/example-oem"])})
        rows = [
            (
                str(r["supplierLabel"]),
                str(r["item"]),
                Decimal(str(r["annualValueCNY"])),
                None if r.get("location") is None else str(r["location"]),
                r.get("quote") is not None,
            )
            for r in res.records()
        ]
    finally:
        kg.close()
    # By hand from data/suppliers/labels.ttl: three links; the English name where there is
    # one, the Chinese one where it is the only label; the register's link has no quote.
    assert rows == [
        ("Example Cathode Co.", "cathode material", Decimal(100), "Example Port", True),
        ("Example Cathode Co.", "electrolyte", Decimal(50), "Example Port", True),
        ("示例电解液厂", "electrolyte", Decimal(30), None, False),
    ]
    assert sum(r[2] for r in rows) == 180
