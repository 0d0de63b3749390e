"""Persistent store: survives a restart; killed imports and loads leave it consistent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

CLI = [sys.executable, "-c", "from clusterkg.cli import main; main()"]
_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/clusterkg/ontology#Enterprise> }"


def _run(args, env, **kw):
    return subprocess.run(
        [*CLI, *args], env={**os.environ, **env}, capture_output=True, text=True, timeout=300, **kw
    )


def _snapshot(store: Path, env) -> tuple:
    """(graph names, triple count of each) of a store, read in a fresh process."""
    code = (
        "import sys; from clusterkg.store.backends import OxigraphBackend as B; "
        "b = B(sys.argv[1]); print(repr([(g, b.count(g)) for g in b.graph_names()] "
        "+ [('default', b.count())]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(store)],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
        check=True,
    )
    return eval(out.stdout)  # noqa: S307 - our own repr of strings and ints


def test_store_survives_a_restart(env, tmp_path, write_csv):
    store = tmp_path / "store"
    assert _run(["load", str(store)], env).returncode == 0
    f = write_csv(tmp_path / "m.csv", "member,cluster\nChangan,cluster/cc-auto\n")
    res = _run(["import", str(f), "--kind", "memberships", "--store", f"oxigraph:{store}"], env)
    assert res.returncode == 0, res.stderr
    # A new process: close and reopen, the data is still there and queryable.
    q = tmp_path / "q.rq"
    q.write_text(
        "CONSTRUCT { ?s <https://w3id.org/clusterkg/ontology#memberOf> ?c } WHERE { "
        "?s <https://w3id.org/clusterkg/ontology#memberOf> ?c }",
        encoding="utf-8",
    )
    out = tmp_path / "members.nt"
    res = _run(
        [
            "export",
            "--format",
            "nquads",
            "--query",
            str(q),
            "--store",
            f"oxigraph:{store}",
            str(out),
        ],
        env,
    )
    assert res.returncode == 0, res.stderr
    text = out.read_text(encoding="utf-8")
    assert "enterprise/changan-automobile> <https://w3id.org/clusterkg/ontology#memberOf>" in text
    assert "enterprise/example-cell-co> <https://w3id.org/clusterkg/ontology#memberOf>" in text
    snap = dict(_snapshot(store, env))
    assert snap["https://w3id.org/clusterkg/graph/base"] == 48


def _big_csv(path: Path, n: int) -> Path:
    rows = "".join(
        f"Firm {i:05d},Chengdu,cluster/cc-auto,30.{i % 90},104.{i % 90}\n" for i in range(n)
    )
    path.write_text("name_en,region,cluster,lat,long\n" + rows, encoding="utf-8")
    return path


def _kill_at(args, env, delay: float) -> int | None:
    proc = subprocess.Popen(
        [*CLI, *args],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(delay)
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    return proc.wait(timeout=60)


@pytest.mark.slow
def test_killed_import_into_a_file_leaves_it_unchanged(env, tmp_path):
    """A kill leaves the file old or whole: the old bytes, or the old bytes followed by the
    complete import (a kill after the atomic replace, before the process exits)."""
    from rdflib import Graph

    big = _big_csv(tmp_path / "big.csv", 400)
    target = tmp_path / "imports.ttl"
    target.write_text("# earlier content\n", encoding="utf-8")
    before = target.read_bytes()
    reference = tmp_path / "reference" / "imports.ttl"
    reference.parent.mkdir()
    reference.write_bytes(before)
    res = _run(["import", str(big), "--kind", "enterprises", "--into", str(reference)], env)
    assert res.returncode == 0, res.stderr
    whole = len(Graph().parse(reference, format="turtle"))

    killed, completed = 0, False
    for delay in (0.5, 1.5, 3.0):
        current = target.read_bytes()
        code = _kill_at(
            ["import", str(big), "--kind", "enterprises", "--into", str(target)], env, delay
        )
        now = target.read_bytes()
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".imports")] == []
        if now != current:  # written: then all of it, after the old bytes, and only once
            assert code in (0, -signal.SIGKILL) and not completed
            assert now.startswith(before) and len(Graph().parse(target, format="turtle")) == whole
            completed = True
        elif code == -signal.SIGKILL:
            killed += 1
        else:  # refused: already imported by a run that finished
            assert completed and code == 1
    assert killed >= 1  # at least one kill landed mid-import
    if not completed:  # left alone, the import completes and appends after the old content
        res = _run(["import", str(big), "--kind", "enterprises", "--into", str(target)], env)
        assert res.returncode == 0, res.stderr
    assert target.read_bytes().startswith(before)
    assert len(Graph().parse(target, format="turtle")) == whole


@pytest.mark.slow
def test_killed_import_into_a_store_leaves_it_unchanged(env, tmp_path):
    """A kill leaves the store old or whole: its graphs and counts as before, or exactly as a
    complete import leaves them (a kill after the commit, before the process exits)."""
    big = _big_csv(tmp_path / "big.csv", 400)
    reference = tmp_path / "reference"
    assert _run(["load", str(reference)], env).returncode == 0
    res = _run(
        ["import", str(big), "--kind", "enterprises", "--store", f"oxigraph:{reference}"], env
    )
    assert res.returncode == 0, res.stderr
    whole = _snapshot(reference, env)

    store = tmp_path / "store"
    assert _run(["load", str(store)], env).returncode == 0
    current = _snapshot(store, env)
    assert current != whole
    killed = 0
    for delay in (0.5, 1.5, 3.0):
        code = _kill_at(
            ["import", str(big), "--kind", "enterprises", "--store", f"oxigraph:{store}"],
            env,
            delay,
        )
        after = _snapshot(store, env)
        assert after in (current, whole), (delay, code)  # never a part of the import
        if code == -signal.SIGKILL and after == current:
            killed += 1
        current = after
    assert killed >= 1


@pytest.mark.slow
def test_killed_load_leaves_every_graph_whole_or_old(env, tmp_path):
    store = tmp_path / "store"
    big = tmp_path / "big.nt"
    big.write_text(
        "".join(
            f'<https://example.org/s{i}> <https://example.org/p> "{i}" .\n' for i in range(20_000)
        ),
        encoding="utf-8",
    )
    for delay in (0.3, 1.0, 2.0):
        _kill_at(["load", str(store), str(big)], env, delay)
        snap = dict(_snapshot(store, env))
        assert snap.get("https://w3id.org/clusterkg/graph/big", 20_000) == 20_000
        assert snap.get("https://w3id.org/clusterkg/graph/base", 48) == 48
    res = _run(["load", str(store), str(big)], env)
    assert res.returncode == 0, res.stderr
    snap = dict(_snapshot(store, env))
    assert snap["https://w3id.org/clusterkg/graph/big"] == 20_000
    assert not [g for g in snap if "/graph/staging-" in g]


def test_closing_an_oxigraph_store_releases_its_folder(tmp_path):
    """close() lets this process open the folder again (RocksDB locks it while open)."""
    from clusterkg.store.backends import BackendError, open_backend

    spec = f"oxigraph:{tmp_path / 'store'}"
    first = open_backend(spec)
    first.update(
        "INSERT DATA { GRAPH <https://example.org/g> { <https://example.org/a> "
        "<https://example.org/p> 1 } }"
    )
    answer = first.query("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert len(answer.rows) == 1
    with pytest.raises(BackendError, match="in use by another process"):
        open_backend(spec)  # locked while the first is open: the test below can fail
    first.close()
    first.close()  # twice is harmless
    again = open_backend(spec)
    try:
        assert again.graph_names() == ["https://example.org/g"]
        assert again.count("https://example.org/g") == 1
    finally:
        again.close()
    with pytest.raises(BackendError, match="is closed"):
        first.count()


def _kill_at_commit(args, env, pause: str, after: float = 0.0) -> bool:
    """Run an import paused just before its commit step; SIGKILL it there (or ``after``
    seconds later). True if the kill hit the paused process."""
    proc = subprocess.Popen(
        [*CLI, *args],
        env={**os.environ, **env, "CLUSTERKG_TEST_PAUSE_BEFORE_COMMIT": pause},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    for line in proc.stderr:
        if line.startswith("clusterkg-test: about to commit"):
            time.sleep(after)
            proc.send_signal(signal.SIGKILL)
            break
    return proc.wait(timeout=120) == -signal.SIGKILL


def test_import_killed_at_the_file_write_leaves_the_target_and_no_temporary(env, tmp_path):
    big = _big_csv(tmp_path / "big.csv", 60)
    target = tmp_path / "imports.ttl"
    target.write_text("# earlier content\n", encoding="utf-8")
    before = target.read_bytes()
    args = ["import", str(big), "--kind", "enterprises", "--into", str(target)]
    # Killed with the new content complete in the temporary file, just before os.replace.
    assert _kill_at_commit(args, env, "60")
    assert target.read_bytes() == before
    left = [p for p in tmp_path.iterdir() if p.name.startswith(".imports.ttl.")]
    assert len(left) == 1 and len(left[0].read_bytes()) > len(before)  # the killed write's
    # The next write of the target removes the dead writer's temporary file.
    res = _run(args, env)
    assert res.returncode == 0, res.stderr
    assert [p for p in tmp_path.iterdir() if p.name.startswith(".imports.ttl.")] == []
    assert target.read_bytes().startswith(before) and len(target.read_bytes()) > len(before)


@pytest.mark.slow
def test_import_killed_at_the_store_write_leaves_it_old_or_complete(env, tmp_path):
    import shutil

    store = tmp_path / "store"
    assert _run(["load", str(store)], env).returncode == 0
    before = _snapshot(store, env)
    big = _big_csv(tmp_path / "big.csv", 60)
    reference = tmp_path / "reference"
    shutil.copytree(store, reference)
    args = ["import", str(big), "--kind", "enterprises", "--store"]
    res = _run([*args, f"oxigraph:{reference}"], env)
    assert res.returncode == 0, res.stderr
    complete = _snapshot(reference, env)
    assert complete != before
    # Killed before the update (paused), then at moments inside or just after it.
    assert _kill_at_commit([*args, f"oxigraph:{store}"], env, "60")
    assert _snapshot(store, env) == before
    for after in (0.0, 0.02, 0.1):
        if _kill_at_commit([*args, f"oxigraph:{store}"], env, "0", after):
            assert _snapshot(store, env) in (before, complete)
