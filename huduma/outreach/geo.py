"""Is a venue inside its county? Ray casting over the county's GeoJSON boundary.

A county boundary is small (a few thousand points), and the question is asked once per venue
saved, so plain Python is enough and no GIS library is needed. GeoJSON positions are
(longitude, latitude).
"""

from collections.abc import Iterator

# Kenya's bounding box: what a venue must lie in when its county has no boundary loaded.
KENYA_LAT = (-4.9, 5.1)
KENYA_LON = (33.8, 42.0)


def _polygons(geometry: dict) -> Iterator[list]:
    """Every polygon (a list of rings) in a Feature, FeatureCollection or geometry."""
    if not isinstance(geometry, dict):
        return
    kind = geometry.get("type")
    if kind == "Feature":
        yield from _polygons(geometry.get("geometry") or {})
    elif kind == "FeatureCollection":
        for feature in geometry.get("features") or []:
            yield from _polygons(feature)
    elif kind == "GeometryCollection":
        for part in geometry.get("geometries") or []:
            yield from _polygons(part)
    elif kind == "Polygon":
        yield geometry.get("coordinates") or []
    elif kind == "MultiPolygon":
        yield from geometry.get("coordinates") or []


def _in_ring(lon: float, lat: float, ring: list) -> bool:
    inside = False
    n = len(ring)
    j = n - 1
    for i in range(n):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > lat) != (yj > lat) and lon < (xj - xi) * (lat - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def point_in_boundary(lat: float, lon: float, boundary: dict) -> bool:
    """True when (lat, lon) lies inside one of the boundary's polygons and outside its holes."""
    for rings in _polygons(boundary):
        inside = rings and _in_ring(lon, lat, rings[0])
        if inside and not any(_in_ring(lon, lat, hole) for hole in rings[1:]):
            return True
    return False


def in_kenya(lat: float, lon: float) -> bool:
    return KENYA_LAT[0] <= lat <= KENYA_LAT[1] and KENYA_LON[0] <= lon <= KENYA_LON[1]
