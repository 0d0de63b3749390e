"""``clusterkg import`` refuses rows that pass every per-row check but violate a shape.

The row below names a known enterprise (``tests/io/data/graphs/base.ttl``: Changan Automobile,
lat 29.6, long 106.5) with valid coordinates; only the shapes, run over the row merged with
what the graph already says, see that the enterprise would then have two latitudes and two
longitudes (``ontology/shapes.ttl``: ``wgs84:lat``/``wgs84:long`` ``sh:maxCount 1``). Through
the CLI: exit 1, the row named, and the target file and store unchanged.
"""

from __future__ import annotations

from click.testing import CliRunner

from clusterkg.cli import main

HEADER = "id,name_en,name_zh,type,aliases,region,cluster,sector,parent,lat,long,quote,note\n"
EXISTING = f"{HEADER}enterprise/changan-automobile,Changan Automobile,,VehicleManufacturer,,,,,,31.5,105.5,,\n"
NEW = f"{HEADER},Example Brake Co.,,PartsSupplier,,Chengdu,,,,31.5,105.5,,\n"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def _import(env, csv_path, *target):
    return CliRunner().invoke(
        main, ["import", str(csv_path), "--kind", "enterprises", *target], env=env
    )


def test_shape_violation_is_refused_and_nothing_is_written(env, tmp_path, write_csv):
    f = write_csv(tmp_path / "firms.csv", EXISTING)
    target = tmp_path / "imports.ttl"
    target.write_text("# an earlier import\n", encoding="utf-8")
    before = target.read_bytes()
    res = _import(env, f, "--into", str(target))
    assert res.exit_code == 1, res.output
    assert "Traceback" not in res.output
    assert "firms.csv: row 2" in res.output
    assert "SHACL: wgs84:lat" in res.output and "SHACL: wgs84:long" in res.output
    assert "nothing was written" in res.output
    assert target.read_bytes() == before


def test_shape_violation_leaves_an_oxigraph_store_unchanged(env, tmp_path, write_csv):
    store = f"oxigraph:{tmp_path / 'store'}"
    runner = CliRunner()
    count = ["query", "--store", store, "--format", "csv", "-"]
    # query reads a store and refuses to make one (a mistyped path): load makes it.
    assert runner.invoke(main, ["load", str(tmp_path / "store")], env=env).exit_code == 0
    before = runner.invoke(main, count, input=COUNT, env=env)
    assert before.exit_code == 0, before.output
    res = _import(env, write_csv(tmp_path / "firms.csv", EXISTING), "--store", store)
    assert res.exit_code == 1, res.output
    assert "SHACL: wgs84:lat" in res.output
    after = runner.invoke(main, count, input=COUNT, env=env)
    assert after.output == before.output


def test_a_new_enterprise_with_the_same_coordinates_is_written(env, tmp_path, write_csv):
    # The control: the same coordinates on a new node violate nothing, and the import lands.
    target = tmp_path / "imports.ttl"
    res = _import(env, write_csv(tmp_path / "firms.csv", NEW), "--into", str(target))
    assert res.exit_code == 0, res.output
    assert "Example Brake Co." in target.read_text(encoding="utf-8")
