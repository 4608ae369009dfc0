"""OpenStreetMap: the editing API's map call (OSM XML) and PBF extracts.

OSM has three kinds of element: **nodes** (a point: id, lat, lon, tags), **ways** (an ordered
list of node ids: a road, a building outline) and **relations** (a group of nodes, ways and other
relations with roles: a bus route, a country border). Small areas come from the API as OSM XML
(:func:`fetch_map` + :func:`parse_osm_xml`); whole countries come as ``.osm.pbf`` extracts, which
GDAL (through pyogrio) reads as layers of points / lines / multipolygons / relations
(:func:`read_pbf_layers`).

Offline: the pyogrio wheel ships a real PBF extract (Hatfield, England; ODbL) as a test fixture;
:func:`features_to_osm_xml` rewrites its features as OSM XML so that the XML client can be served
real map content by :mod:`cookbook.loopback`.
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


def _tags_from(row, skip=("osm_id", "osm_way_id", "geometry", "other_tags", "z_order")) -> dict:
    tags = {k: str(v) for k, v in row.items() if k not in skip and v is not None and v == v}
    other = row.get("other_tags")
    if other:  # GDAL's hstore text: "key"=>"value","key2"=>"value2"
        for part in str(other).split('","'):
            if "=>" in part:
                k, v = part.split("=>", 1)
                tags[k.strip('"')] = v.strip('"')
    return tags


def features_to_osm_xml(points, lines) -> bytes:
    """OSM XML from GDAL point and line layers: tagged points become nodes with their real OSM
    ids; lines become ways with their real ids, whose vertices become untagged nodes. GDAL does
    not keep vertex node ids, so those get ids counted down from -1 (OSM's convention for
    elements not (yet) in the database)."""
    root = ET.Element("osm", version="0.6", generator="cookbook.online.osm")
    for _, row in points.iterrows():
        node = ET.SubElement(root, "node", id=str(row["osm_id"]),
                             lat=f"{row.geometry.y:.7f}", lon=f"{row.geometry.x:.7f}")
        for k, v in _tags_from(row).items():
            ET.SubElement(node, "tag", k=k, v=v)
    vertex_ids: dict[tuple[float, float], int] = {}
    ways = []
    for _, row in lines.iterrows():
        refs = []
        for x, y in row.geometry.coords:
            key = (round(x, 7), round(y, 7))
            if key not in vertex_ids:  # shared vertices (junctions) become one node
                vertex_ids[key] = -(len(vertex_ids) + 1)
                ET.SubElement(root, "node", id=str(vertex_ids[key]), lat=f"{y:.7f}", lon=f"{x:.7f}")
            refs.append(vertex_ids[key])
        ways.append((row, refs))
    for row, refs in ways:
        way = ET.SubElement(root, "way", id=str(row["osm_id"]))
        for ref in refs:
            ET.SubElement(way, "nd", ref=str(ref))
        for k, v in _tags_from(row).items():
            ET.SubElement(way, "tag", k=k, v=v)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8")


def tag_counts(data: OsmData, key: str) -> dict:
    """How many ways carry each value of ``key`` (e.g. 'highway' -> footway/residential/...)."""
    counts: dict[str, int] = {}
    for _, tags in data.ways.values():
        if key in tags:
            counts[tags[key]] = counts.get(tags[key], 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))


def loopback_route(xml: bytes):
    """Route for ``/api/0.6/map``: the sample for a valid bbox, the API's 400 text otherwise."""
    from ..fixtures.loopback import Route

    def handle(path: str, query: dict) -> Route:
        try:
            bbox = tuple(float(v) for v in (query.get("bbox") or [""])[0].split(","))
            check_bbox(bbox)  # type: ignore[arg-type]
        except ValueError as err:
            return Route(f"The maximum bbox size is {MAX_AREA_DEG2}, and your request was too "
                         f"large. Either request a smaller area, or use planet.osm ({err})".encode(),
                         status=400, content_type="text/plain")
        return Route(xml, content_type="text/xml; charset=utf-8")

    return Route(handler=handle)
