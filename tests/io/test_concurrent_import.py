"""Two imports into the same file or ``oxigraph:DIR`` store at once, as two real processes:
both land (the second waits for the first's lock), or the second is refused, never lost."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import RDFS

from clusterkg.io import atomic
from clusterkg.io.csv_import import ImportFailed, import_csv
from tests.io.conftest import MAPPING

CLI = [sys.executable, "-c", "from clusterkg.cli import main; main()"]
LABELS = "SELECT ?l WHERE { ?e <http://www.w3.org/2000/01/rdf-schema#label> ?l }"


def firms(path: Path, prefix: str, n: int = 5) -> Path:
    rows = "".join(f"{prefix} Firm {i},Chengdu,cluster/cc-auto,30.{i},104.{i}\n" for i in range(n))
    path.write_text("name_en,region,cluster,lat,long\n" + rows, encoding="utf-8")
    return path


def names(prefix: str, n: int = 5) -> set[str]:
    return {f"{prefix} Firm {i}" for i in range(n)}


def start(args: list[str], env: dict[str, str], pause: str = "0") -> subprocess.Popen:
    return subprocess.Popen(
        [*CLI, *args],
        env={**os.environ, **env, "CLUSTERKG_TEST_PAUSE_BEFORE_COMMIT": pause},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_commit_step(proc: subprocess.Popen) -> None:
    """Read ``proc``'s stderr until it says it is about to commit (holding the lock)."""
    for line in proc.stderr:
        if line.startswith("clusterkg-test: about to commit"):
            return
    raise AssertionError(f"never reached its commit step: {proc.wait()}")


def race(
    first_args: list[str], second_args: list[str], env, pause: str = "3"
) -> list[tuple[int, str]]:
    """Run the first import paused ``pause`` seconds at its commit step, start the second
    meanwhile; both exit codes and outputs."""
    first = start(first_args, env, pause=pause)
    wait_for_commit_step(first)
    second = start(second_args, env)
    results = []
    for proc in (first, second):
        out, err = proc.communicate(timeout=300)
        results.append((proc.returncode, out + err))
    return results


def labels_in_file(path: Path) -> set[str]:
    g = Graph().parse(path, format="turtle")
    return {str(o) for o in g.objects(None, RDFS.label) if isinstance(o, Literal)}


def test_two_imports_into_one_file_both_land(env, tmp_path):
    target = tmp_path / "imports.ttl"
    target.write_text("# earlier content\n", encoding="utf-8")
    a = firms(tmp_path / "a.csv", "Alpha")
    b = firms(tmp_path / "b.csv", "Beta")
    base = ["import", "--kind", "enterprises", "--into", str(target)]
    (code_a, out_a), (code_b, out_b) = race(
        [*base[:1], str(a), *base[1:]], [*base[:1], str(b), *base[1:]], env
    )
    assert code_a == 0, out_a
    assert code_b == 0, out_b
    assert target.read_text(encoding="utf-8").startswith("# earlier content\n")
    got = labels_in_file(target)
    assert names("Alpha") <= got and names("Beta") <= got
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
    assert not atomic.lock_file(target).exists()  # the last holder removed it


def store_labels(store: Path) -> set[str]:
    """The labels of an ``oxigraph:DIR`` store, read by Oxigraph itself (no
    clusterkg code) after both writers have exited."""
    import pyoxigraph

    s = pyoxigraph.Store.read_only(str(store))
    return {r["l"].value for r in s.query(LABELS, use_default_graph_as_union=True)}


@pytest.mark.slow
def test_two_imports_into_one_store_both_land(env, tmp_path):
    store = tmp_path / "store"
    load = subprocess.run(
        [*CLI, "load", str(store)], env={**os.environ, **env}, capture_output=True, timeout=300
    )
    assert load.returncode == 0, load.stderr
    before = store_labels(store)
    assert len(before) > 10  # the test graph's resources
    a = firms(tmp_path / "a.csv", "Alpha")
    b = firms(tmp_path / "b.csv", "Beta")
    spec = f"oxigraph:{store}"
    (code_a, out_a), (code_b, out_b) = race(
        ["import", str(a), "--kind", "enterprises", "--store", spec],
        ["import", str(b), "--kind", "enterprises", "--store", spec],
        env,
    )
    assert code_a == 0, out_a
    assert code_b == 0, out_b
    assert before | names("Alpha") | names("Beta") <= store_labels(store)


def hold_lock(target: Path) -> subprocess.Popen:
    """Another process holding the import lock of ``target`` (for 60 s, or until killed),
    once it says it holds it."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from clusterkg.io.atomic import target_lock\n"
            "with target_lock(sys.argv[1]):\n    print('held', flush=True); time.sleep(60)",
            str(target),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    except BaseException:
        holder.kill()
        raise
    return holder


def test_an_import_that_cannot_get_the_lock_is_refused_and_writes_nothing(
    env, settings, tmp_path, monkeypatch
):
    target = tmp_path / "imports.ttl"
    target.write_text("# earlier content\n", encoding="utf-8")
    holder = hold_lock(target)
    try:
        monkeypatch.setattr(atomic, "LOCK_WAIT", 0.5)
        with pytest.raises(ImportFailed) as failed:
            import_csv(firms(tmp_path / "a.csv", "Alpha"), "enterprises", settings, into=target)
        report = failed.value.report()
        assert str(target) in report and f"process {holder.pid}" in report
        assert "nothing was written" in report
        assert target.read_text(encoding="utf-8") == "# earlier content\n"
    finally:
        holder.kill()
        holder.wait(timeout=10)
    # The lock dies with its holder: the same import now goes through.
    started = time.monotonic()
    result = import_csv(firms(tmp_path / "a.csv", "Alpha"), "enterprises", settings, into=target)
    assert result.target == str(target) and time.monotonic() - started < 120
    assert names("Alpha") <= labels_in_file(target)


def rml_mapping(folder: Path, prefix: str, n: int = 5) -> Path:
    """A YARRRML mapping of ``n`` firms named ``PREFIX Firm i``, in a folder of its own."""
    folder.mkdir()
    rows = "".join(f"{prefix.lower()}-{i},{prefix} Firm {i},cc-auto\n" for i in range(n))
    (folder / "firms.csv").write_text("id,name,cluster\n" + rows, encoding="utf-8")
    (folder / "map.yml").write_text(MAPPING, encoding="utf-8")
    return folder / "map.yml"


def test_two_rml_imports_into_one_file_both_land(rml, env, tmp_path):
    target = tmp_path / "imports.ttl"
    target.write_text("# earlier content\n", encoding="utf-8")
    a = rml_mapping(tmp_path / "a", "Alpha")
    b = rml_mapping(tmp_path / "b", "Beta")
    env = {**env, "CLUSTERKG_RML_VENV": str(rml)}
    (code_a, out_a), (code_b, out_b) = race(
        ["import", "--mapping", str(a), "--into", str(target)],
        ["import", "--mapping", str(b), "--into", str(target)],
        env,
        # morph-kgc takes seconds to start: the first waits long enough for the second to
        # reach its own read of the target (without the lock it would then lose Alpha).
        pause="12",
    )
    assert code_a == 0, out_a
    assert code_b == 0, out_b
    assert target.read_text(encoding="utf-8").startswith("# earlier content\n")
    got = labels_in_file(target)
    assert names("Alpha") <= got and names("Beta") <= got
    assert not atomic.lock_file(target).exists()


@pytest.mark.slow
def test_two_rml_imports_into_one_store_both_land(rml, env, tmp_path):
    store = tmp_path / "store"
    load = subprocess.run(
        [*CLI, "load", str(store)], env={**os.environ, **env}, capture_output=True, timeout=300
    )
    assert load.returncode == 0, load.stderr
    before = store_labels(store)
    a = rml_mapping(tmp_path / "a", "Alpha")
    b = rml_mapping(tmp_path / "b", "Beta")
    spec = f"oxigraph:{store}"
    env = {**env, "CLUSTERKG_RML_VENV": str(rml)}
    (code_a, out_a), (code_b, out_b) = race(
        ["import", "--mapping", str(a), "--store", spec],
        ["import", "--mapping", str(b), "--store", spec],
        env,
        pause="12",
    )
    assert code_a == 0, out_a
    assert code_b == 0, out_b
    assert before | names("Alpha") | names("Beta") <= store_labels(store)


def test_an_rml_import_that_cannot_get_the_lock_is_refused_and_writes_nothing(
    rml, settings, tmp_path, monkeypatch
):
    from clusterkg.io.rml import import_mapping

    target = tmp_path / "imports.ttl"
    target.write_text("# earlier content\n", encoding="utf-8")
    holder = hold_lock(target)
    try:
        monkeypatch.setattr(atomic, "LOCK_WAIT", 0.5)
        with pytest.raises(ImportFailed) as failed:
            import_mapping(rml_mapping(tmp_path / "a", "Alpha"), settings, into=target)
        report = failed.value.report()
        assert str(target) in report and f"process {holder.pid}" in report
        assert "nothing was written" in report
        assert target.read_text(encoding="utf-8") == "# earlier content\n"
    finally:
        holder.kill()
        holder.wait(timeout=10)
