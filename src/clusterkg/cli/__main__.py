"""``python -m clusterkg.cli``: the same command as the ``clusterkg`` script."""

from clusterkg.cli import main

main()
