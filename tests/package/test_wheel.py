"""The built wheel, installed into a fresh virtualenv, works from a folder that is not the checkout.

Real processes throughout: ``pip wheel`` builds from a copy of the repository's files, ``pip``
installs the wheel into a new venv, and ``clusterkg validate``, ``clusterkg query`` and
``clusterkg serve`` run from an empty temporary folder. Nothing is downloaded: the build uses
the dev venv's setuptools (no build isolation) and the fresh venv sees the dev venv's installed
dependencies through a ``.pth`` file, so the wheel goes in with ``--no-deps``. The dev venv's
editable install of clusterkg stays invisible (a ``.pth`` line adds a folder to ``sys.path``
without running that folder's own ``.pth`` files); the first check proves it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import urllib.request
import venv
from pathlib import Path

import pytest

from tests.web.conftest import start_serve

CHECKOUT = Path(__file__).resolve().parents[2]
# What the build reads; copying them keeps build/ and *.egg-info out of the checkout.
BUILD_INPUTS = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "LICENSE")
BUILD_FOLDERS = ("src", "ontology", "graphs", "queries")
# Variables that would point the installed tool back at the checkout.
LEAKS = ("PYTHONPATH", "CLUSTERKG_HOME", "CLUSTERKG_SOURCES", "CLUSTERKG_STORE")

pytestmark = pytest.mark.slow


def _run(*cmd: str | Path, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, f"{cmd} exited {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, Path, dict[str, str]]:
    """(the fresh venv's ``bin/``, an empty working folder, a clean environment)."""
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "source"
    source.mkdir()
    for name in BUILD_INPUTS:
        if (CHECKOUT / name).is_file():
            shutil.copy2(CHECKOUT / name, source / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc")
    for name in BUILD_FOLDERS:
        shutil.copytree(CHECKOUT / name, source / name, ignore=ignore)
    env = {k: v for k, v in os.environ.items() if k not in LEAKS}
    dist = tmp / "dist"
    pip = (sys.executable, "-m", "pip")
    _run(
        *pip,
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "-q",
        "-w",
        dist,
        source,
        cwd=tmp,
        env=env,
    )
    (wheel,) = dist.glob("clusterkg-*.whl")

    fresh = tmp / "venv"
    venv.create(fresh, with_pip=False)
    python = fresh / "bin" / "python"
    fresh_paths = json.loads(
        _run(
            python,
            "-c",
            "import json, sysconfig; print(json.dumps(sysconfig.get_paths()))",
            cwd=tmp,
            env=env,
        ).stdout
    )
    dev = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    Path(fresh_paths["purelib"], "dev-venv.pth").write_text("\n".join(sorted(dev)) + "\n")
    _run(*pip, "--python", python, "install", "--no-deps", "-q", wheel, cwd=tmp, env=env)
    work = tmp / "work"
    work.mkdir()
    return fresh / "bin", work, env


def test_the_package_comes_from_the_fresh_venv(installed):
    bin_dir, work, env = installed
    code = "import clusterkg, clusterkg.config as c; print(clusterkg.__file__); print(c.bundled_root())"
    where, data = _run(bin_dir / "python", "-c", code, cwd=work, env=env).stdout.split()
    venv_root = bin_dir.parent.resolve()
    assert Path(where).resolve().is_relative_to(venv_root), where
    assert Path(data).resolve() == Path(where).resolve().parent / "data"


def test_validate_reads_the_bundled_ontology_and_graphs(installed):
    bin_dir, work, env = installed
    out = _run(bin_dir / "clusterkg", "validate", cwd=work, env=env).stdout
    shapes = {p.name for p in (CHECKOUT / "ontology").glob("shapes*.ttl")}
    files = [p for d in ("ontology", "graphs") for p in (CHECKOUT / d).glob("*.ttl")]
    count = len([p for p in files if p.name not in shapes])
    assert f"Conforms: {count} files" in out, out


def test_a_named_query_runs_on_the_bundled_graph(installed):
    bin_dir, work, env = installed
    cmd = (bin_dir / "clusterkg", "query", "deepest-parts-base", "--format", "json")
    top = json.loads(_run(*cmd, cwd=work, env=env).stdout)["rows"][0]
    # graphs/auto-clusters.ttl: 5,849 parts and 61 vehicle enterprises, 5849 / 61 = 95.89
    assert top["cluster"].endswith("/cluster/yangtze-river-delta-auto")
    assert (top["partsEnterprises"], top["vehicleEnterprises"]) == (5849, 61)
    assert float(top["partsPerVehicleEnterprise"]) == 95.89


def test_serve_answers_a_request(installed, monkeypatch):
    bin_dir, work, env = installed
    for name in LEAKS:  # start_serve passes this process's environment on
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(work)
    proc, url = start_serve([str(bin_dir / "clusterkg")])
    try:
        request = urllib.request.Request(
            f"{url}/queries/deepest-parts-base",
            headers={"Accept": "application/sparql-results+json"},
        )
        with urllib.request.urlopen(request, timeout=60) as resp:
            doc = json.load(resp)
        top = doc["results"]["bindings"][0]
        assert top["cluster"]["value"].endswith("/cluster/yangtze-river-delta-auto")
        assert top["partsEnterprises"]["value"] == "5849"
        with urllib.request.urlopen(f"{url}/", timeout=60) as resp:
            page = resp.read().decode("utf-8")
        assert resp.status == 200 and "<html" in page.lower()  # templates ship in the wheel
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_the_python_api_opens_the_bundled_graph(installed):
    bin_dir, work, env = installed
    code = "import clusterkg; print(clusterkg.open().named('deepest-parts-base').rows[0])"
    top = _run(bin_dir / "python", "-c", code, cwd=work, env=env).stdout
    assert "'partsEnterprises': 5849, 'vehicleEnterprises': 61" in top, top
