"""Read data sets out of Debian's ``r-cran-*`` packages without installing R.

Those packages store their data as an R lazy-load database: ``data/Rdata.rdx`` (a gzipped R
serialization mapping each object name to an offset and length) and ``data/Rdata.rdb`` (the
objects, each a 4-byte big-endian length followed by a zlib stream of an ordinary R
serialization). ``rdata`` converts the serialization; a data.frame becomes a pandas DataFrame.
"""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path


def read_r_lazyload(rdb: Path, rdx: Path, name: str):
    """Return the R object ``name`` from the lazy-load database ``rdb``/``rdx``."""
    import warnings

    import rdata

    with warnings.catch_warnings():  # rdata warns about headerless streams and R date classes
        warnings.simplefilter("ignore")
        index = rdata.conversion.convert(rdata.parser.parse_data(gzip.decompress(Path(rdx).read_bytes())))
        known = [str(v) for v in index["variables"]]
        if name not in known:
            raise KeyError(f"{name!r} is not in {rdx}; it holds {sorted(known)}")
        offset, length = (int(v) for v in index["variables"][name])
        with open(rdb, "rb") as handle:
            handle.seek(offset)
            blob = handle.read(length)
        return rdata.conversion.convert(rdata.parser.parse_data(zlib.decompress(blob[4:])),
                                        default_encoding="utf8")
