"""The import refuses text cells that a spreadsheet would run as a formula, including ``-``
followed by a formula (OWASP CSV injection: ``=``, ``+``, ``-``, ``@`` all start a formula),
while a plain negative number or a hyphen inside a name is data."""

from __future__ import annotations

import pytest

from clusterkg.io.csv_import import ImportFailed, import_csv

HEADER = "id,name_en,name_zh,type,aliases,region,cluster,sector,parent,lat,long,quote,note\n"


def _row(name: str) -> str:
    return f'{HEADER},"{name}",,PartsSupplier,,Chengdu,,,,,,,\n'


@pytest.mark.parametrize(
    "cell",
    [
        "-1+cmd|' /C calc'!A0",
        '-2*HYPERLINK("http://x")',
        "-=1+1",
        "-@SUM(A1)",
        "- 1+2",
        "=1+1",
        "+1+1",
        "@SUM(A1)",
    ],
)
def test_formula_cells_are_refused(settings, tmp_path, write_csv, cell):
    f = write_csv(tmp_path / "firms.csv", _row(cell.replace('"', '""')))
    target = tmp_path / "out.ttl"
    with pytest.raises(ImportFailed) as info:
        import_csv(f, "enterprises", settings, into=target)
    (error,) = info.value.errors
    assert (error.row, error.column, error.value) == (2, "name_en", cell)
    assert "formula" in error.reason
    assert not target.exists()


@pytest.mark.parametrize("cell", ["Foo-Bar Co.", "-2.5", "-17", "-1e3"])
def test_hyphens_and_negative_numbers_are_data(settings, tmp_path, write_csv, cell):
    f = write_csv(tmp_path / "firms.csv", _row(cell))
    target = tmp_path / "out.ttl"
    import_csv(f, "enterprises", settings, into=target)
    assert f'"{cell}"' in target.read_text(encoding="utf-8")
