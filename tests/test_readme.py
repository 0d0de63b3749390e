"""The README's promises: the two Quick start commands, and templates that match the tool."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from clusterkg.cli import main

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_quick_start_has_exactly_the_two_commands():
    quick = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", quick, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]
    assert commands == ["make run", "make test"]


@pytest.mark.parametrize(
    "kind", ["enterprises", "supply-links", "observations", "memberships", "policies"]
)
def test_readme_templates_are_what_the_tool_prints(kind):
    printed = CliRunner().invoke(main, ["import", "--template", kind])
    assert printed.exit_code == 0, printed.output
    section = README.split(f"### `{kind}`", 1)[1].split("\n### ", 1)[0]
    block = re.search(r"```csv\n(.*?)```", section, re.S).group(1)
    assert block.strip() == printed.output.strip()
