"""A registry of ready-made datasets: the built-in simulated demo and the public records.

``demo``
    Ships with the project (``data/demo-weekly_rank.csv``), made by
    :func:`fractal_governance.simulation.write_preset`. Simulated: not real people.
``genesis``
    The Genesis fractal's complete public record, meetings 1 to 30 (2022-02-26 to
    2022-09-24): the four files of the normalized layout (measurements, account status, teams,
    late consensus) at upstream commit 916618a, counted by the Genesis fractal's own rules
    (:func:`fractal_governance.policies.genesis_record.genesis_profile`: no Respect without a
    signature on file from meeting 17, none for late consensus, Fractally White Paper
    Addendum 1 from meeting 23), in Respect tokens.
``genesis-2022-05-21``
    The snapshot of the Genesis records through meeting 12 (2022-05-21; upstream commit
    73ab686): the weekly rank file and the account status file, read with the plain Genesis
    schedule and calendar, in Respect. The original analysis and its figures were made on it.
``zao``
    ZAO Fractal's ORDAO awards export (meetings 74-91), fetched the same way from
    bettercallzaal/ZAOOS at a fixed commit; read with ZAO's profile (Respect as minted).

Where the files of a published dataset come from, in order:

1. ``$FRACTAL_GOVERNANCE_DATA_DIR/<dataset name>/<file>`` when that folder holds the file
   (offline machines, CI), e.g. ``data/genesis/genesis-weekly_measurements.csv`` and
   ``data/genesis-2022-05-21/genesis-weekly_rank.csv``. The copy must have the published
   hash; a copy with another hash is refused.
2. The download cache, ``$FRACTAL_GOVERNANCE_CACHE_DIR`` or the user's cache directory
   (``pooch.os_cache("fractal_governance")``), in the same layout (``<dataset name>/<file>``).
3. A download from the file's pinned URL (files without one: from :func:`base_url`,
   ``$FRACTAL_GOVERNANCE_BASE_URL`` or :data:`BASE_URL`) into the cache with ``pooch``:
   written to a temporary file, checked, then renamed, so a failed, partial or corrupted
   download leaves nothing behind and is never used.

Examples
--------
>>> from fractal_governance import datasets
>>> datasets.names()
['demo', 'genesis', 'genesis-2022-05-21', 'zao']
>>> ds = datasets.load("genesis")  # doctest: +SKIP
>>> ds.unit  # doctest: +SKIP
'Respect tokens'
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, fields, is_dataclass, replace
from pathlib import Path
from typing import Any

from fractal_governance import profiles
from fractal_governance.dataset import Dataset
from fractal_governance.io import DatasetError
from fractal_governance.math import DOUBLED
from fractal_governance.policies import RecordedAwards, RespectPolicy, Rule
from fractal_governance.policies.genesis import (
    late_consensus_rule,
    read_late_consensus,
    read_member_attributes,
)
from fractal_governance.policies.genesis_record import genesis_profile
from fractal_governance.profiles import CommunityProfile

__all__ = [
    "BASE_URL",
    "DEFAULT",
    "GENESIS_COMMIT",
    "GENESIS_SNAPSHOT_COMMIT",
    "REGISTRY",
    "DatasetInfo",
    "DatasetIntegrityError",
    "DatasetUnavailableError",
    "RemoteFile",
    "base_url",
    "cache_dir",
    "default_name",
    "fetch",
    "info",
    "is_available_offline",
    "load",
    "names",
    "path",
    "paths",
    "profile_for",
    "resolve",
]

GENESIS_COMMIT = "916618ae0b3268e5d6ebb41c0a5b9ef101f694ef"
"""Upstream commit of the complete Genesis record (meetings 1-30)."""
GENESIS_SNAPSHOT_COMMIT = "73ab686442c0964efb82d74816f967c1aabcddae"
"""Upstream commit of the Genesis snapshot through meeting 12 (2022-05-21)."""
_UPSTREAM = "https://raw.githubusercontent.com/matt-langston/fractal_governance"
BASE_URL = f"{_UPSTREAM}/{GENESIS_COMMIT}/data/"
"""Where remote files without a URL of their own are downloaded from
(``<BASE_URL><file name>``): the complete Genesis record's folder."""
SNAPSHOT_URL = f"{_UPSTREAM}/{GENESIS_SNAPSHOT_COMMIT}/data/"

ENV_BASE_URL = "FRACTAL_GOVERNANCE_BASE_URL"
ENV_DATA_DIR = "FRACTAL_GOVERNANCE_DATA_DIR"
ENV_CACHE_DIR = "FRACTAL_GOVERNANCE_CACHE_DIR"

TIMEOUT = 30.0
"""Seconds to wait for the server to connect or to send more data before giving up."""

DEFAULT = "demo"
"""The dataset used when nothing else is named and nothing has been fetched."""

DEMO_FILE = "demo-weekly_rank.csv"
FETCH_COMMAND = "fractal-governance fetch"


class DatasetIntegrityError(DatasetError):
    """A file does not have its published SHA-256 hash; it was refused (and, if it was a
    download, deleted)."""


class DatasetUnavailableError(DatasetError):
    """A dataset is not on this machine and could not be downloaded."""


@dataclass(frozen=True)
class RemoteFile:
    """A published file: its name (under :func:`base_url`, unless ``url`` says where it is)
    and SHA-256 (hex)."""

    name: str
    sha256: str
    url: str | None = None


Loader = Callable[[Sequence[Path], CommunityProfile | None], Dataset]
"""Reads a dataset's local files (in the registry's order) with a profile (None: its own)."""


@dataclass(frozen=True)
class DatasetInfo:
    """What the registry knows about a dataset.

    Attributes
    ----------
    name : str
        Registry name (``"demo"``).
    title : str
        Display name given to the loaded Dataset (``"Simulated Demo Fractal"``).
    description : str
        One sentence for users, saying where the data comes from.
    simulated : bool
        True for made-up data, which front ends must label as simulated.
    files : tuple of RemoteFile
        Files to fetch, the weekly rank CSV first; empty for shipped datasets.
    profile : CommunityProfile
        How the data is read (Respect schedule, calendar, unit) unless the caller gives
        another profile; default :data:`fractal_governance.profiles.DEFAULT`.
    loader : callable or None
        Reads the local files with a profile (None: ``profile``); None: the first file is
        read with :meth:`Dataset.from_csv <fractal_governance.dataset.Dataset.from_csv>`.
    """

    name: str
    title: str
    description: str
    simulated: bool
    files: tuple[RemoteFile, ...] = ()
    profile: CommunityProfile = profiles.DEFAULT
    loader: Loader | None = None


# -- the complete Genesis record -----------------------------------------------------------

_TEMPLATE_LATE_CONSENSUS = late_consensus_rule(())

GENESIS_PROFILE = genesis_profile()
"""The complete Genesis record's profile as the registry states it: :func:`genesis_profile
<fractal_governance.policies.genesis_record.genesis_profile>` without late-consensus pairs.
Loading the record fills in the pairs of its late-consensus file, also in a profile derived
from this one (another calendar, say)."""


def _with_late_consensus(value: Any, rule: Rule) -> Any:
    """``value`` (a profile, policy, rule or tuple of them) with each empty late-consensus
    rule replaced by ``rule``; unchanged parts are returned as they are."""
    if value == _TEMPLATE_LATE_CONSENSUS:
        return rule
    if isinstance(value, tuple):
        items = tuple(_with_late_consensus(item, rule) for item in value)
        return items if any(a is not b for a, b in zip(items, value, strict=True)) else value
    if isinstance(value, CommunityProfile | RespectPolicy | Rule) and is_dataclass(value):
        changes = {}
        for spec in fields(value):
            if spec.init:
                old = getattr(value, spec.name)
                new = _with_late_consensus(old, rule)
                if new is not old:
                    changes[spec.name] = new
        return replace(value, **changes) if changes else value
    return value


def _load_genesis_record(files: Sequence[Path], profile: CommunityProfile | None) -> Dataset:
    """The complete Genesis record from its four files (measurements, account status, teams,
    late consensus) as :func:`fractal_governance.policies.genesis_record.load` reads a folder
    of them: the account status as member attributes (``SignatureOnFile``) and the
    late-consensus pairs in the profile (None: :data:`GENESIS_PROFILE`)."""
    measurements, members, teams, late = files
    rule = late_consensus_rule(read_late_consensus(late))
    chosen = _with_late_consensus(GENESIS_PROFILE if profile is None else profile, rule)
    return Dataset.from_files(
        measurements,
        members,
        teams,
        profile=chosen,
        member_attributes=read_member_attributes(members),
    )


REGISTRY: dict[str, DatasetInfo] = {
    "demo": DatasetInfo(
        name="demo",
        title="Simulated Demo Fractal",
        description=(
            "Simulated data: 30 weekly meetings of an invented community, made by the "
            "project's agent-based model (preset 'demo')."
        ),
        simulated=True,
        profile=profiles.GENESIS,
    ),
    "genesis": DatasetInfo(
        name="genesis",
        title="Genesis Fractal",
        description=(
            "The complete public record of the Genesis fractal's weekly consensus meetings 1 "
            "to 30 (2022-02-26 to 2022-09-24), counted by its own rules: no Respect without "
            "a signature on file from meeting 17 or for late consensus, and Fractally White "
            "Paper Addendum 1 from meeting 23; in Respect tokens."
        ),
        simulated=False,
        files=(
            RemoteFile(
                "genesis-weekly_measurements.csv",
                "9ea321a53ca688b07d011a3ac1d6319193de99037a9f83b4d7198e43b5afae4f",
            ),
            RemoteFile(
                "genesis-account_status.csv",
                "802cbe09760e7f193a4b4228a40fa82a99106f0e105a2657f7576a7b0e5e1494",
            ),
            RemoteFile(
                "genesis-teams.csv",
                "cfc0d168a6f035c0c2bce50148a7ad2742b34fa0da43c904ab41aec08b4d265b",
            ),
            RemoteFile(
                "genesis-late_consensus.csv",
                "c0227523ca611e0d2d7ad230c5af2da69528449abe3621809f0106025fa29b02",
            ),
        ),
        profile=GENESIS_PROFILE,
        loader=_load_genesis_record,
    ),
    "genesis-2022-05-21": DatasetInfo(
        name="genesis-2022-05-21",
        title="Genesis Fractal (meetings 1-12)",
        description=(
            "The Genesis fractal's records as published on 2022-05-21: weekly consensus "
            "meetings 1 to 12 (2022-02-26 to 2022-05-21), with the Genesis schedule and "
            "no other rule, in Respect. The original analysis was made on them."
        ),
        simulated=False,
        files=(
            RemoteFile(
                "genesis-weekly_rank.csv",
                "1804a3c7ce9b55dd5a46417d8829221abff31e5bf60bc59486e90751fd6a0656",
                url=SNAPSHOT_URL + "genesis-weekly_rank.csv",
            ),
            RemoteFile(
                "genesis-account_status.csv",
                "b093a9990def374ae63578e9864dde305545476e25a7d5326f19d10d3521bab1",
                url=SNAPSHOT_URL + "genesis-account_status.csv",
            ),
        ),
        profile=profiles.GENESIS,
    ),
    "zao": DatasetInfo(
        name="zao",
        title="ZAO Fractal",
        description=(
            "ZAO Fractal's Respect Game awards for its weekly meetings 74 to 91, as exported "
            'from ORDAO ("Export as CSV"; three awards of meetings 89-91 that are on chain '
            "are missing from the export). Respect as minted; meeting dates are not in the data."
        ),
        simulated=False,
        files=(
            RemoteFile(
                "ordaoawards.csv",
                "77af3178c699222e8df129f1710aab6e77fef3efcbcdfcf427057e496baee7d2",
                url=(
                    "https://raw.githubusercontent.com/bettercallzaal/ZAOOS/"
                    "e670e12775db6492c8bd889d6cb602f3ee64ca99/data/ordaoawards.csv"
                ),
            ),
        ),
        profile=profiles.ZAO.with_policy(RecordedAwards(DOUBLED)),
    ),
}
"""Registry name -> DatasetInfo, in display order."""


def names() -> list[str]:
    """Names of the registered datasets: ``['demo', 'genesis', 'genesis-2022-05-21', 'zao']``."""
    return list(REGISTRY)


def info(name: str) -> DatasetInfo:
    """The registry entry of ``name``; ``DatasetError`` naming the known ones otherwise."""
    try:
        return REGISTRY[name]
    except (KeyError, TypeError):
        raise DatasetError(
            f"unknown dataset {name!r}; known datasets: {', '.join(names())}"
        ) from None


def base_url() -> str:
    """Base URL of remote files: ``$FRACTAL_GOVERNANCE_BASE_URL`` or :data:`BASE_URL`."""
    url = os.environ.get(ENV_BASE_URL) or BASE_URL
    return url if url.endswith("/") else url + "/"


def cache_dir() -> Path:
    """Folder of downloaded files: ``$FRACTAL_GOVERNANCE_CACHE_DIR`` or the user cache."""
    configured = os.environ.get(ENV_CACHE_DIR)
    if configured:
        return Path(configured).expanduser()
    import pooch

    return Path(pooch.os_cache("fractal_governance"))


def _data_dir() -> Path | None:
    configured = os.environ.get(ENV_DATA_DIR)
    return Path(configured).expanduser() if configured else None


def _demo_path() -> Path:
    """The shipped demo CSV: ``<package>/../data/demo-weekly_rank.csv``.

    Looked up beside the package as imported (an editable install, a source checkout or
    Bazel's runfiles tree), then beside the real location of this file.
    """
    here = Path(os.path.abspath(__file__)).parent
    candidates = [here.parent / "data" / DEMO_FILE]
    real = Path(os.path.realpath(__file__)).parent.parent / "data" / DEMO_FILE
    if real not in candidates:
        candidates.append(real)
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise DatasetUnavailableError(
        f"the built-in demo dataset is missing (looked for {candidates[0]}); regenerate it "
        f"with `fractal-governance simulate --preset demo --out {candidates[0]}`"
    )


def _sha256(file: Path) -> str:
    digest = hashlib.sha256()
    with open(file, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _local_copy(name: str, remote: RemoteFile) -> Path | None:
    """The copy in ``$FRACTAL_GOVERNANCE_DATA_DIR/<name>/``, if any; refused when its hash
    differs."""
    folder = _data_dir()
    if folder is None:
        return None
    candidate = folder / name / remote.name
    if not candidate.is_file():
        return None
    actual = _sha256(candidate)
    if actual != remote.sha256:
        raise DatasetIntegrityError(
            f"{candidate}: SHA-256 {actual} does not match the published {remote.sha256}; "
            f"refusing to use it. Replace it with the published file or set {ENV_DATA_DIR} to "
            "another folder."
        )
    return candidate


def _cached(name: str, remote: RemoteFile) -> Path | None:
    """The cached download, if it is there and intact (a damaged one is ignored)."""
    candidate = cache_dir() / name / remote.name
    if candidate.is_file() and _sha256(candidate) == remote.sha256:
        return candidate
    return None


@contextlib.contextmanager
def _quiet_pooch() -> Iterator[None]:
    """Keep pooch's informational log lines ("Downloading ...") off the terminal."""
    import pooch

    logger = pooch.get_logger()
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def _how_to_get(info_: DatasetInfo) -> str:
    files = " and ".join(remote.name for remote in info_.files)
    urls = {
        remote.url.rsplit("/", 1)[0] + "/" if remote.url else base_url() for remote in info_.files
    }
    where = ", ".join(sorted(urls))
    return (
        f"To use the {info_.name!r} dataset, run `{FETCH_COMMAND} {info_.name}` on this machine "
        f"while it is online, or put {files} (from {where}) into a folder "
        f"<data>/{info_.name}/ and set {ENV_DATA_DIR} to <data>."
    )


def _download(info_: DatasetInfo, remote: RemoteFile, progress: bool) -> Path:
    """Download ``remote`` into the cache with pooch; typed errors for every failure."""
    import pooch
    import requests

    url = remote.url or base_url() + remote.name
    folder = cache_dir() / info_.name
    created = [parent for parent in (folder, *folder.parents) if not parent.exists()]
    try:
        with _quiet_pooch(), _remove_if_empty_on_error(created):
            downloaded = pooch.retrieve(
                url,
                known_hash=f"sha256:{remote.sha256}",
                fname=remote.name,
                path=folder,
                downloader=pooch.HTTPDownloader(progressbar=progress, timeout=TIMEOUT),
            )
    except requests.exceptions.RequestException as error:
        raise DatasetUnavailableError(
            f"could not download {remote.name} from {url}: {_reason(error)}. " + _how_to_get(info_)
        ) from error
    except ValueError as error:  # pooch: the downloaded file's hash is wrong
        if "hash" not in str(error):
            raise DatasetUnavailableError(
                f"could not download {remote.name} from {url}: {error}"
            ) from error
        got = re.search(r"but got ([0-9a-fA-F]+)", str(error))
        actual = f"SHA-256 {got.group(1).lower()}" if got else "another SHA-256"
        raise DatasetIntegrityError(
            f"the download of {remote.name} from {url} has {actual}, not the published "
            f"{remote.sha256}; it was deleted and not used"
        ) from error
    except OSError as error:
        raise DatasetUnavailableError(
            f"could not store {remote.name} in {folder}: {error}. Set {ENV_CACHE_DIR} to a "
            f"writable folder, or set {ENV_DATA_DIR} to a folder with local copies."
        ) from error
    return Path(downloaded)


@contextlib.contextmanager
def _remove_if_empty_on_error(created: list[Path]) -> Iterator[None]:
    """On an error, remove the folders in ``created`` (deepest first) that are still empty."""
    try:
        yield
    except BaseException:
        for folder in created:
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise


def _reason(error: BaseException) -> str:
    """A short description of a requests error (its message can be very long)."""
    import requests

    if isinstance(error, requests.exceptions.HTTPError) and error.response is not None:
        return f"HTTP {error.response.status_code} {error.response.reason}"
    # A stalled body surfaces as a ConnectionError wrapping urllib3's ReadTimeoutError.
    if isinstance(error, requests.exceptions.Timeout) or "timed out" in str(error).lower():
        return f"no data within {TIMEOUT:g} s"
    if isinstance(error, requests.exceptions.ChunkedEncodingError) or "IncompleteRead" in str(
        error
    ):
        return "the connection broke before the whole file arrived"
    if isinstance(error, requests.exceptions.ConnectionError):
        return "the server could not be reached (is this machine offline?)"
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    return text if len(text) <= 200 else text[:197] + "..."


def paths(name: str, *, progress: bool = False) -> list[Path]:
    """Local paths of all files of dataset ``name``, fetching what is missing.

    In the registry's order: the measurements (weekly rank) CSV first. ``progress=True``
    shows a download progress bar on stderr.

    Raises
    ------
    DatasetError
        Unknown name; :class:`DatasetIntegrityError` for a file with the wrong hash;
        :class:`DatasetUnavailableError` when a file is missing and cannot be downloaded
        (the message says how to get it).
    """
    entry = info(name)
    if not entry.files:
        return [_demo_path()]
    found = []
    for remote in entry.files:
        local = _local_copy(entry.name, remote) or _cached(entry.name, remote)
        found.append(local if local is not None else _download(entry, remote, progress))
    return found


def path(name: str, *, progress: bool = False) -> Path:
    """Local path of the first file of dataset ``name``, its measurements (fetched if
    needed)."""
    return paths(name, progress=progress)[0]


def fetch(name: str, *, progress: bool = False) -> Path:
    """Make dataset ``name`` available offline (download every file into the cache); return
    the path of its first file."""
    return path(name, progress=progress)


def is_available_offline(name: str) -> bool:
    """True when every file of ``name`` is on this machine and intact (no network use)."""
    entry = info(name)
    if not entry.files:
        try:
            _demo_path()
        except DatasetError:
            return False
        return True
    for remote in entry.files:
        try:
            local = _local_copy(entry.name, remote)
        except DatasetError:
            return False
        if local is None and _cached(entry.name, remote) is None:
            return False
    return True


def default_name() -> str:
    """The dataset shown when nothing is named: ``"genesis"`` (the complete record) when its
    files are available offline, else ``"demo"`` (never a download).

    A Genesis copy on this machine that does not have its published hash (in
    ``$FRACTAL_GOVERNANCE_DATA_DIR`` or in the cache) is an error, not a reason to show the
    demo instead: :class:`DatasetIntegrityError` naming the file.
    """
    if is_available_offline("genesis"):
        return "genesis"
    entry = info("genesis")
    for remote in entry.files:
        _local_copy(entry.name, remote)  # raises for a copy with another hash
        cached = cache_dir() / entry.name / remote.name
        if cached.is_file() and _sha256(cached) != remote.sha256:
            raise DatasetIntegrityError(
                f"{cached}: SHA-256 does not match the published {remote.sha256}; refusing "
                f"to use it. Delete it and run `{FETCH_COMMAND} {entry.name}` again."
            )
    return DEFAULT


def load(name: str, *, progress: bool = False, profile: CommunityProfile | None = None) -> Dataset:
    """Load dataset ``name`` as a :class:`~fractal_governance.dataset.Dataset`.

    The Dataset carries the registry title as its ``name`` (``"Simulated Demo Fractal"``,
    ``"Genesis Fractal"``) and is read with ``profile`` (None: the registry entry's
    profile). The complete Genesis record always gets its late-consensus pairs, also in a
    profile derived from :data:`GENESIS_PROFILE`.
    """
    entry = info(name)
    published = paths(name, progress=progress)
    with _verified_copies(entry, published) as files:
        try:
            if entry.loader is not None:
                dataset = entry.loader(files, profile)
            else:
                chosen = entry.profile if profile is None else profile
                dataset = Dataset.from_csv(files[0], profile=chosen)
        except DatasetError as error:  # name the published files, not the private copies
            message = str(error)
            for copy, original in zip(files, published, strict=True):
                message = message.replace(str(copy.parent), str(original.parent))
            raise type(error)(message) from None
        if files != list(published):
            dataset = dataset.with_source(str(published[0]))
    return dataset.with_name(entry.title)


@contextlib.contextmanager
def _verified_copies(entry: DatasetInfo, files: Sequence[Path]) -> Iterator[list[Path]]:
    """Private copies of a dataset's published ``files`` (in a folder only this user can
    read), each hashed from the very bytes written to it, so that what is parsed is what
    was verified: a file changed between its check and its reading is refused
    (:class:`DatasetIntegrityError`), never used. Shipped files (the demo) are read as
    they are."""
    if not entry.files:
        yield list(files)
        return
    with tempfile.TemporaryDirectory(prefix="fractal_governance-") as folder:
        copies = []
        for remote, source in zip(entry.files, files, strict=True):
            target = Path(folder) / entry.name / remote.name
            target.parent.mkdir(exist_ok=True)
            digest = hashlib.sha256()
            with open(source, "rb") as reading, open(target, "xb") as writing:
                for block in iter(lambda: reading.read(1 << 20), b""):
                    digest.update(block)
                    writing.write(block)
            if digest.hexdigest() != remote.sha256:
                raise DatasetIntegrityError(
                    f"{source}: changed while it was being read (SHA-256 {digest.hexdigest()}, "
                    f"not the published {remote.sha256}); refusing to use it"
                )
            copies.append(target)
        yield copies


def profile_for(data: str | os.PathLike[str] | None = None) -> CommunityProfile:
    """The profile :func:`resolve` reads ``data`` with when the caller gives none: a registry
    dataset's own profile (also for ``None``, the default dataset), an ORDAO awards
    export's :data:`~fractal_governance.profiles.ORDAO`, else
    :data:`fractal_governance.profiles.DEFAULT`. Front ends change it (its schedule, its
    calendar) to read the data another way."""
    if data is None:
        return info(default_name()).profile
    if isinstance(data, str) and data in REGISTRY:
        return REGISTRY[data].profile
    if _is_ordao_export(data):
        return profiles.ORDAO
    return profiles.DEFAULT


def _is_ordao_export(data: str | os.PathLike[str]) -> bool:
    """Whether ``data`` is an ORDAO awards export (a file, or a folder holding one), by its
    header; False for anything unreadable (loading then says what is wrong)."""
    from fractal_governance.io.reader import classify, read_header

    location = Path(os.fspath(data)).expanduser()
    candidates = sorted(location.glob("*.csv")) if location.is_dir() else [location]
    for candidate in candidates:
        try:
            if candidate.is_file() and classify(read_header(candidate)) == "ordao":
                return True
        except (DatasetError, OSError):
            continue
    return False


def resolve(
    data: str | os.PathLike[str] | None = None, *, profile: CommunityProfile | None = None
) -> Dataset:
    """The Dataset that a user means by ``data`` (for the CLI and the dashboard).

    ``None``: the default dataset (:func:`default_name`). A registry name (``"demo"``,
    ``"genesis"``, ...; a file of that name needs a path such as ``./demo``). A CSV file in the
    weekly layout. A folder with the normalized layout. ``profile`` says how to read it
    (None: :func:`profile_for` ``data``).

    Raises
    ------
    DatasetError
        When ``data`` is none of these, or the data cannot be loaded.
    """
    if data is None:
        return load(default_name(), profile=profile)
    text = os.fspath(data)
    if isinstance(data, str) and text in REGISTRY:
        return load(text, profile=profile)
    location = Path(text).expanduser()
    chosen = profile_for(data) if profile is None else profile
    if location.is_dir():
        return Dataset.from_directory(location, profile=chosen)
    if location.is_file():
        return Dataset.from_csv(location, profile=chosen)
    raise DatasetError(
        f"{text!r} is neither a dataset name ({', '.join(names())}) nor an existing CSV file "
        "or folder"
    )
