"""Two writers of one file: the cleanup of stale temporary files in one writer never removes
the temporary file of a writer that is still alive, and does remove it once that writer died.

The live writer is a real ``write_bytes_atomic`` in another process, held just before its
rename by the module's test hook (``CLUSTERKG_TEST_PAUSE_BEFORE_COMMIT``); it is killed at the
end, as a crashed writer would be, which makes its temporary file stale.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from clusterkg.io.atomic import PAUSE_ENV, remove_stale_temporaries, write_bytes_atomic

CHILD = (
    "import sys; from clusterkg.io.atomic import write_bytes_atomic as w; w(sys.argv[1], b'child')"
)


def _temporaries(target):
    return sorted(target.parent.glob(f".{target.name}.*.tmp"))


def test_live_writers_temporary_survives_another_writers_cleanup(tmp_path):
    target = tmp_path / "graph.ttl"
    target.write_bytes(b"old")
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(target)],
        env={**os.environ, PAUSE_ENV: "600"},
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = child.stderr.readline()  # printed once its temporary file is written
        assert "about to commit" in line, line
        (live,) = _temporaries(target)
        assert f".{child.pid}." in live.name
        # Another writer: its cleanup runs first, then its own write lands.
        assert remove_stale_temporaries(target) == []
        write_bytes_atomic(target, b"parent")
        assert target.read_bytes() == b"parent"
        assert _temporaries(target) == [live]
        assert live.read_bytes() == b"child"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    # The writer is dead now: its temporary file is stale and the next write removes it.
    assert _temporaries(target) == [live]
    write_bytes_atomic(target, b"again")
    assert _temporaries(target) == []
    assert target.read_bytes() == b"again"
