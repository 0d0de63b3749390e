"""Scale points: the curated graph and synthetic networks of a chosen size.

Synthetic data comes from :func:`clusterkg.analytics.generate.generate` (the same generator as
``clusterkg generate``), calibrated by the curated graph. Its size grows linearly with
``scale`` (about 27 triples per firm), so a target triple count is reached by measuring the
triples of the scale-1.0 network once and scaling from there. Files are cached by seed and
scale under ``benchmarks/results/data/`` (git-ignored); the generator is deterministic, so a
cached file equals a fresh one.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import pyoxigraph as ox

from clusterkg.vocab import ID

RESULTS_DIR = Path(__file__).resolve().parent / "results"
DATA_DIR = RESULTS_DIR / "data"
CURATED_CUSTOMER = str(ID["enterprise/changan-automobile"])

#: Named scale points: a target number of synthetic triples, or a generator scale.
POINTS: dict[str, dict[str, float]] = {
    "curated": {},
    "tiny": {"scale": 0.0085},  # about 3,000 triples, without generating scale 1.0 first
    "10k": {"triples": 10_000},
    "100k": {"triples": 100_000},
    "national": {"scale": 1.0},
    "1m": {"triples": 1_000_000},
    "firms100k": {"firms": 100_000},
    "10m": {"triples": 10_000_000},
}
DEFAULT_POINTS = ("curated", "10k", "100k", "national", "1m")
#: Firms of the scale-1.0 network (259 OEMs and 12,892 parts firms in the curated counts).
FIRMS_AT_SCALE_1 = 13_151


@dataclass(frozen=True)
class DataPoint:
    """One scale point: its name, the synthetic file (None for curated) and its size."""

    name: str
    path: Path | None
    scale: float | None
    synthetic_triples: int
    firms: int
    links: int
    customer: str

    def to_dict(self) -> dict:
        d = asdict(self)
        d["path"] = str(self.path) if self.path else None
        return d


def _scale_tag(scale: float) -> str:
    return f"{scale:g}".replace(".", "_")


def count_triples(path: Path) -> int:
    """Quads in a TriG file, counted by Oxigraph's parser."""
    return sum(1 for _ in ox.parse(path=str(path), format=ox.RdfFormat.TRIG))


def generated(kg, scale: float, seed: int = 0, data_dir: Path = DATA_DIR) -> tuple[Path, dict]:
    """The synthetic network at ``scale`` as a TriG file (cached), and its summary."""
    from clusterkg.analytics.generate import Parameters, generate

    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / f"synthetic-s{seed}-x{_scale_tag(scale)}.trig"
    meta = path.with_suffix(".json")
    if path.exists() and meta.exists():
        import json

        return path, json.loads(meta.read_text())
    text, summary = generate(kg, Parameters(seed=seed, scale=scale))
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    import json

    summary = {
        "firms": summary["firms"],
        "links": summary["links"],
        "triples": count_triples(path),
    }
    meta.write_text(json.dumps(summary))
    return path, summary


def prepare(names: list[str], seed: int = 0, data_dir: Path = DATA_DIR) -> list[DataPoint]:
    """Generate (or reuse) the data of each named scale point, in the order given."""
    from clusterkg.config import Settings
    from clusterkg.store.kg import open_kg

    kg = open_kg(Settings.from_env())
    per_scale_1: int | None = None
    out: list[DataPoint] = []
    for name in names:
        spec = POINTS[name]
        if not spec:
            out.append(DataPoint(name, None, None, 0, 0, 0, CURATED_CUSTOMER))
            continue
        if "triples" in spec:
            if per_scale_1 is None:
                _, s1 = generated(kg, 1.0, seed, data_dir)
                per_scale_1 = s1["triples"]
            scale = round(spec["triples"] / per_scale_1, 4)
        elif "firms" in spec:
            scale = round(spec["firms"] / FIRMS_AT_SCALE_1, 3)
        else:
            scale = spec["scale"]
        path, summary = generated(kg, scale, seed, data_dir)
        customer = str(ID[f"synthetic/s{seed}-x{_scale_tag(scale)}/firm-00001"])
        out.append(
            DataPoint(
                name, path, scale, summary["triples"], summary["firms"], summary["links"], customer
            )
        )
    kg.close()
    return out
