"""Check that the packages installed in this environment are exactly the versions a lock file pins.

Run by tests/ci/check_lock.sh inside the scratch venv, where only pip's own vendored ``packaging`` is
importable, so the parsing leans on nothing else.
"""

from __future__ import annotations

import re
import sys
from importlib import metadata
from pathlib import Path

from pip._vendor.packaging.markers import Marker
from pip._vendor.packaging.utils import canonicalize_name

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$")


def locked_pins(lock: Path) -> dict[str, str]:
    """Name → version for every pin in the lock whose environment marker holds here."""
    pins: dict[str, str] = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match is None:
            continue
        name, version, marker = match.groups()
        if marker and not Marker(marker).evaluate():
            continue
        pins[canonicalize_name(name)] = version
    return pins


def main(lock_path: str) -> int:
    pins = locked_pins(Path(lock_path))
    installed = {canonicalize_name(dist.metadata["Name"]): dist.version for dist in metadata.distributions()}
    problems = [
        f"{name}: locked {version}, installed {installed.get(name, 'nothing')}"
        for name, version in sorted(pins.items())
        if installed.get(name) != version
    ]
    problems += [f"{name} {version}: installed but not in the lock" for name, version in sorted(installed.items())
                 if name not in pins and name != "pip"]
    if problems:
        print(f"lock guard: {lock_path} does not match what was installed:", *problems, sep="\n  ", file=sys.stderr)
        return 1
    print(f"lock guard: {len(pins)} locked packages installed exactly as pinned")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
