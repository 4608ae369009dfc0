"""The registry's book-file entries agree with the mirror's own table of paths and SHA-256."""

import os
import re
from pathlib import Path

import pytest

from cookbook import acquire
from cookbook.acquire import Mirror, Url

MIRROR = os.environ.get("DLCB_MIRROR")


def mirror_table(root: Path) -> dict[str, str]:
    rows = re.findall(r"^\| (\S+) \| \d+ \| ([0-9a-f]{64}) \|$",
                      (root / "README.md").read_text(), flags=re.MULTILINE)
    return dict(rows)


@pytest.mark.skipif(not MIRROR, reason="DLCB_MIRROR is not set")
def test_book_files_match_the_mirror_table():
    table = mirror_table(Path(MIRROR))
    checked = 0
    for res in acquire.registry().values():
        mirrors = [s for s in res.sources if isinstance(s, Mirror)]
        for source in mirrors:
            relpath = source.relpath.split("/", 1)[1]  # drop the dl_cookbook/ prefix
            assert table.get(relpath) == res.sha256, f"{res.name}: sha256 differs from the mirror's table"
            urls = [s.url for s in res.sources if isinstance(s, Url)]
            assert any(u.endswith("/" + relpath) for u in urls), f"{res.name}: online URL path differs"
            checked += 1
    assert checked >= 5


@pytest.mark.skipif(not MIRROR, reason="DLCB_MIRROR is not set")
def test_mirror_files_are_fetched_and_verified(tmp_path, monkeypatch):
    monkeypatch.setenv("DLCB_CACHE", str(tmp_path))
    path = acquire.fetch("countries.csv")
    assert path.read_text().splitlines()[0].split(",")[:2] == ["name", "cc"]
