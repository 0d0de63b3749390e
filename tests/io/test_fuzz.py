"""Random malformed CSV: always a clean result (success or a row report), never a traceback
and never a partial write."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clusterkg.cli import main
from clusterkg.io.templates import TEMPLATES

NASTY = st.sampled_from(
    [
        "=cmd|' /C calc'!A0",
        "+SUM(A1:A9)",
        "@SUM(1)",
        "-2+3",
        "\t=1",
        '"',
        '""',
        'a"b',
        "x" * 200_000,
        "1e400",
        "NaN",
        "-0",
        "99999999999999999999999",
        "ℵ",
        "重庆",
        "\u2028",
        ";",
        ",",
        "|",
        "||",
        "Chengdu",
        "Example Cell Co.",
        "cluster/cc-auto",
        "http://",
        "ck:",
        "id:x/y",
        "2023-02-30",
        "\x00",
        "",
    ]
)
CELL = st.one_of(NASTY, st.text(max_size=30))


@st.composite
def csv_bytes(draw) -> tuple[str, bytes]:
    kind = draw(st.sampled_from(list(TEMPLATES)))
    names = TEMPLATES[kind].names
    header = draw(st.lists(st.sampled_from([*names, "bogus", ""]), min_size=0, max_size=8))
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    rows = draw(st.lists(st.lists(CELL, max_size=10), max_size=6))
    text = delimiter.join(header) + "\n" + "\n".join(delimiter.join(r) for r in rows)
    data = text.encode("utf-8", "surrogatepass")
    mangle = draw(st.sampled_from(["none", "bom", "latin1", "truncate", "binary"]))
    if mangle == "bom":
        data = b"\xef\xbb\xbf" + data
    elif mangle == "latin1":
        data = data + "café".encode("latin-1")
    elif mangle == "truncate":
        data = data[: draw(st.integers(0, max(0, len(data))))]
    elif mangle == "binary":
        data = draw(st.binary(max_size=200))
    return kind, data


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=csv_bytes())
def test_malformed_csv_gets_a_clean_answer(case, env, tmp_path: Path):
    kind, data = case
    f = tmp_path / "input.csv"
    f.write_bytes(data)
    target = tmp_path / "target.ttl"
    target.write_text("# kept\n", encoding="utf-8")
    res = CliRunner().invoke(
        main, ["import", str(f), "--kind", kind, "--into", str(target)], env=env
    )
    # 0 imported, 1 rows with problems, 2 a file that is no CSV at all (empty, no header row)
    assert res.exit_code in (0, 1, 2), res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    assert "Traceback" not in res.output
    if res.exit_code == 2:
        assert str(f) in res.output
        assert target.read_bytes() == b"# kept\n"
    elif res.exit_code == 1:
        assert "nothing was written" in res.output
        assert target.read_bytes() == b"# kept\n"
    else:
        assert target.read_bytes().startswith(b"# kept\n")
    assert [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
