"""OpenStreetMap: the editing API's map call (OSM XML) and PBF extracts.

OSM has three kinds of element: **nodes** (a point: id, lat, lon, tags), **ways** (an ordered
list of node ids: a road, a building outline) and **relations** (a group of nodes, ways and other
relations with roles: a bus route, a country border). Small areas come from the API as OSM XML
(:func:`fetch_map` + :func:`parse_osm_xml`); whole countries come as ``.osm.pbf`` extracts, which
GDAL (through pyogrio) reads as layers of points / lines / multipolygons / relations
(:func:`read_pbf_layers`).

Offline: the pyogrio wheel ships a real PBF extract (Hatfield, England; ODbL);
:mod:`cookbook.fixtures.osm` rewrites its features as OSM XML and serves them to the XML client.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from . import USER_AGENT


API_BASE = "https://api.openstreetmap.org/api/0.6"
MAX_AREA_DEG2 = 0.25  # the API refuses larger boxes (HTTP 400); use an extract instead


class OsmError(RuntimeError):
    pass


@dataclass
class OsmData:
    """Parsed OSM XML: nodes {id: (lat, lon, tags)}, ways {id: (node ids, tags)},
    relations {id: (members [(type, ref, role)], tags)}."""

    nodes: dict = field(default_factory=dict)
    ways: dict = field(default_factory=dict)
    relations: dict = field(default_factory=dict)

    def counts(self) -> dict:
        return {"nodes": len(self.nodes), "ways": len(self.ways), "relations": len(self.relations)}

    def way_coordinates(self, way_id: int) -> list[tuple[float, float]]:
        """(lon, lat) pairs of a way, in order (skipping nodes outside the download)."""
        refs, _ = self.ways[way_id]
        return [(self.nodes[r][1], self.nodes[r][0]) for r in refs if r in self.nodes]


def check_bbox(bbox: tuple[float, float, float, float]) -> None:
    """``bbox`` is (min_lon, min_lat, max_lon, max_lat), like the API's ``bbox=`` parameter."""
    left, bottom, right, top = bbox
    if not (-180 <= left < right <= 180 and -90 <= bottom < top <= 90):
        raise ValueError(f"bad bbox {bbox}: expected (min_lon, min_lat, max_lon, max_lat)")
    if (right - left) * (top - bottom) > MAX_AREA_DEG2:
        raise ValueError(f"bbox covers {(right - left) * (top - bottom):.2f} square degrees; the "
                         f"API allows {MAX_AREA_DEG2}. Download a regional .osm.pbf extract instead.")


def fetch_map(bbox, base_url: str = API_BASE, timeout: float = 60.0, session=None) -> bytes:
    """OSM XML for everything inside ``bbox`` (GET /api/0.6/map)."""
    import requests

    check_bbox(bbox)
    http = session or requests.Session()
    url = base_url.rstrip("/") + "/map"
    try:
        response = http.get(url, params={"bbox": ",".join(f"{v:.7f}" for v in bbox)},
                            headers={"User-Agent": USER_AGENT}, timeout=timeout)
    except requests.RequestException as err:
        raise OsmError(f"could not reach {url}: {type(err).__name__}: {err}") from err
    if response.status_code != 200:
        raise OsmError(f"OSM API answered HTTP {response.status_code}: {response.text.strip()[:200]}")
    return response.content


def parse_osm_xml(data: bytes) -> OsmData:
    try:
        root = ET.fromstring(data)
    except ET.ParseError as err:
        raise OsmError(f"not OSM XML: {err}") from None
    if root.tag != "osm":
        raise OsmError(f"not OSM XML: root element is <{root.tag}>")
    out = OsmData()
    for elem in root:
        tags = {t.get("k"): t.get("v") for t in elem.findall("tag")}
        ident = int(elem.get("id", 0))
        if elem.tag == "node":
            out.nodes[ident] = (float(elem.get("lat")), float(elem.get("lon")), tags)
        elif elem.tag == "way":
            out.ways[ident] = ([int(nd.get("ref")) for nd in elem.findall("nd")], tags)
        elif elem.tag == "relation":
            out.relations[ident] = ([(m.get("type"), int(m.get("ref")), m.get("role", ""))
                                     for m in elem.findall("member")], tags)
    return out


def read_pbf_layers(path) -> dict:
    """Read a ``.osm.pbf`` with GDAL's OSM driver: {layer name: GeoDataFrame}."""
    import pyogrio

    # GDAL's fast node index assumes sorted node ids; small extracts are not always sorted
    pyogrio.set_gdal_config_options({"OSM_USE_CUSTOM_INDEXING": "NO"})
    return {name: pyogrio.read_dataframe(path, layer=name)
            for name, _ in pyogrio.list_layers(path)}


def tag_counts(data: OsmData, key: str) -> dict:
    """How many ways carry each value of ``key`` (e.g. 'highway' -> footway/residential/...)."""
    counts: dict[str, int] = {}
    for _, tags in data.ways.values():
        if key in tags:
            counts[tags[key]] = counts.get(tags[key], 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))
