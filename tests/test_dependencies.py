"""The spaCy model mirror is the official en_core_web_sm 3.8.0 release, as docs/dependencies.md records; the lock,
requirements.in, pyproject and the pinned installer agree (issue 20)."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from sourcetrace.article.nlp import MODEL_VERSION, load_nlp


def test_model_meta_matches_the_official_release() -> None:
    meta = load_nlp().meta
    assert meta["lang"] == "en"
    assert meta["version"] == MODEL_VERSION == "3.8.0"
    assert meta["spacy_version"] == ">=3.7.5,<3.9.0"
    performance = meta["performance"]
    assert round(performance["tag_acc"], 3) == 0.973
    assert round(performance["dep_las"], 3) == 0.899
    assert round(performance["ents_f"], 3) == 0.843


def test_sourcetrace_components_are_in_the_pipeline() -> None:
    names = load_nlp().pipe_names
    assert names.index("sourcetrace_line_breaks") < names.index("parser")
    assert names.index("entity_ruler") < names.index("ner")


# --- the lock, the pins and the installer (issue 20) ---------------------------------------------------------------

REPO = Path(__file__).resolve().parent.parent
_LOCK_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+?)(?:\s*;.*)?\s*\\?$", re.M)


def _pins(path: Path) -> dict[str, str]:
    return {canonicalize_name(name): version for name, version in _LOCK_PIN.findall(path.read_text(encoding="utf-8"))}


def test_every_direct_requirement_is_pinned_and_locked_at_that_version() -> None:
    locked = _pins(REPO / "requirements.lock")
    for line in (REPO / "requirements.in").read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if not line:
            continue
        requirement = Requirement(line)
        pinned = [spec.version for spec in requirement.specifier if spec.operator == "=="]
        assert pinned, f"requirements.in: {line} is not pinned with =="
        assert locked.get(canonicalize_name(requirement.name)) == pinned[0], f"{line} is not what the lock pins"


def test_the_package_ranges_admit_the_locked_versions() -> None:
    """pyproject's ranges (for use as a library) and the lock (for the README's install) never disagree."""
    locked = _pins(REPO / "requirements.lock")
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for line in project["dependencies"] + project["optional-dependencies"]["dev"]:
        requirement = Requirement(line)
        version = locked.get(canonicalize_name(requirement.name))
        assert version is not None, f"{requirement.name} is not in requirements.lock"
        assert requirement.specifier.contains(version, prereleases=True), f"{line} excludes the locked {version}"


def test_the_installer_is_pinned_by_version_and_hash_and_installs_the_lock_without_resolving() -> None:
    bootstrap = (REPO / "requirements-bootstrap.lock").read_text(encoding="utf-8")
    assert _pins(REPO / "requirements-bootstrap.lock") == {"pip": "26.3"}
    assert len(re.findall(r"--hash=sha256:[0-9a-f]{64}", bootstrap)) >= 1
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    install = readme[readme.index("```bash") :].splitlines()[1]
    parts = install.split(" && ")
    bootstrap_step = parts.index("python -m pip install --require-hashes --no-deps -r requirements-bootstrap.lock")
    lock_step = parts.index("pip install --require-hashes --no-deps -r requirements.lock")
    # pinned pip first; then exactly the locked files (no resolution on the day), proven complete by pip check
    assert bootstrap_step < lock_step < parts.index("pip check") < parts.index("sourcetrace demo")


def test_the_lock_satisfies_every_requirement_of_what_is_installed() -> None:
    """What `pip check` says in CI, asked of this environment: each installed distribution's requirements,
    extras included (justext's lxml[html_clean] → lxml_html_clean), are met by the locked versions."""
    locked = _pins(REPO / "requirements.lock")
    for name in ("justext", "trafilatura", "spacy", "fastapi"):
        for line in metadata.requires(name) or []:
            requirement = Requirement(line)
            if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
                continue
            version = locked.get(canonicalize_name(requirement.name))
            assert version is not None, f"{name} needs {requirement}, which is not locked"
            assert requirement.specifier.contains(version, prereleases=True), f"{name}: {requirement} vs {version}"
            for extra in requirement.extras:
                for extra_line in metadata.requires(requirement.name) or []:
                    extra_requirement = Requirement(extra_line)
                    marker = extra_requirement.marker
                    if marker is not None and marker.evaluate({"extra": extra}) and not marker.evaluate({"extra": ""}):
                        assert canonicalize_name(extra_requirement.name) in locked, f"{requirement}: {extra_line}"
