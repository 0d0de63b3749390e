"""``python -m benchmarks``: run the benchmark (options: ``--help``)."""

from benchmarks.run import main

main()
