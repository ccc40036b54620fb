"""Keep environment.yml in step with the pip lock (requirements.txt).

conda, Binder and repo2docker read environment.yml; pip and uv read requirements.txt. Both must
install the same versions, so environment.yml is written from the lock, never by hand, and a
test fails when they disagree.
"""

from __future__ import annotations

import re

from helpers import paths

LOCK = paths.ROOT / "requirements.txt"
ENVIRONMENT = paths.ROOT / "environment.yml"
PIN = re.compile(r"^([A-Za-z0-9_.\-\[\]]+)==([^\s;#]+)")


def pins(text: str) -> dict[str, str]:
    """Package name (lower case) -> pinned version, from requirement lines."""
    found = {}
    for line in text.splitlines():
        match = PIN.match(line.strip().removeprefix("- "))
        if match:
            found[match.group(1).lower()] = match.group(2)
    return found


def render(lock_text: str) -> str:
    lines = [
        "# Written by `make lock` from requirements.txt; do not edit by hand.",
        "name: menju-compendium",
        "channels:",
        "  - conda-forge",
        "dependencies:",
        "  - python=3.11",
        "  - pip",
        "  - pip:",
    ]
    lines += [f"      - {name}=={version}" for name, version in sorted(pins(lock_text).items())]
    lines.append("      - -e .  # the project's helpers package")
    return "\n".join(lines) + "\n"


def main() -> None:
    ENVIRONMENT.write_text(render(LOCK.read_text()))
    print(f"wrote {paths.relative(ENVIRONMENT)} with {len(pins(LOCK.read_text()))} pins")


if __name__ == "__main__":
    main()
