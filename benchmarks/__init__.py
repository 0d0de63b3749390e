"""clusterkg's performance benchmark: ``python -m benchmarks`` (``make bench``).

See ``benchmarks/README.md``; results go to ``BENCHMARKS.md`` and ``benchmarks/results/``.
"""
