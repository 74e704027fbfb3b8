"""Where ``sourcetrace demo`` writes its story report when not told: one file per user, the same every run.

Before, each run made a new temporary folder and left it behind. Now: ``-o report.html`` gives
``report-story.html`` beside it; otherwise ``$TMPDIR/sourcetrace-demo-UID/story.html``, overwritten, in a folder
only this user can write to (a folder planted by someone else, or a link, is not used).
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from pathlib import Path

import pytest

from sourcetrace.stories.demo import demo_story_path

posix = pytest.mark.skipif(sys.platform == "win32", reason="POSIX user ids and modes")


@pytest.fixture
def temp_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def test_explicit_paths_win(tmp_path: Path) -> None:
    assert demo_story_path(None, tmp_path / "s.html") == tmp_path / "s.html"
    assert demo_story_path(tmp_path / "report.html", None) == tmp_path / "report-story.html"


@posix
def test_the_default_is_one_private_file_per_user_reused_every_run(temp_root: Path) -> None:
    first = demo_story_path(None, None)
    second = demo_story_path(None, None)
    assert first == second == temp_root / f"sourcetrace-demo-{os.getuid()}" / "story.html"
    assert stat.S_IMODE(first.parent.stat().st_mode) == 0o700
    assert [p.name for p in temp_root.iterdir()] == [first.parent.name]  # nothing else left behind


@posix
def test_a_planted_link_or_open_folder_is_not_used(temp_root: Path) -> None:
    name = f"sourcetrace-demo-{os.getuid()}"
    elsewhere = temp_root / "elsewhere"
    elsewhere.mkdir()
    (temp_root / name).symlink_to(elsewhere, target_is_directory=True)
    path = demo_story_path(None, None)
    assert path.parent != temp_root / name and path.parent.parent == temp_root
    (temp_root / name).unlink()
    (temp_root / name).mkdir(mode=0o777)
    os.chmod(temp_root / name, 0o777)  # a folder others may write to
    path = demo_story_path(None, None)
    assert path.parent != temp_root / name
