"""Which configured area (community / grid) a request belongs to: from text or a location."""

from __future__ import annotations

import math
from collections.abc import Sequence

from bot.config import Area

_EARTH_RADIUS_KM = 6371.0088


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (latitude, longitude) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * _EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def inside(point: tuple[float, float], polygon: Sequence[tuple[float, float]]) -> bool:
    """Even-odd ray casting; (lat, lon) treated as plane coordinates (fine at city scale)."""
    y, x = point
    result = False
    j = len(polygon) - 1
    for i in range(len(polygon)):
        yi, xi = polygon[i]
        yj, xj = polygon[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            result = not result
        j = i
    return result


class AreaFinder:
    def __init__(self, areas: Sequence[Area], radius_km: float) -> None:
        self.areas = list(areas)
        self.radius_km = radius_km
        names = {}
        for area in self.areas:
            for name in (area.name, *area.aliases):
                names.setdefault(name, area)  # first area declaring a name keeps it
        # Longest names first so 瑞祥花园 is tried before 瑞祥.
        self._names = sorted(names.items(), key=lambda item: len(item[0]), reverse=True)

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self._names]

    def from_text(self, text: str) -> Area | None:
        """The area whose name or alias occurs in `text`: the longest, then the earliest."""
        best: tuple[int, int, Area] | None = None
        for name, area in self._names:
            at = text.find(name)
            if at >= 0 and (best is None or (-len(name), at) < (best[0], best[1])):
                best = (-len(name), at, area)
        return best[2] if best else None

    def from_location(self, point: tuple[float, float]) -> Area | None:
        """The area whose polygon holds `point`, else the nearest centre within the radius.

        An area with a polygon is only ever matched by it: its border is known exactly.
        """
        for area in self.areas:
            if area.polygon and inside(point, area.polygon):
                return area
        nearest: tuple[float, Area] | None = None
        for area in self.areas:
            if area.center is not None and not area.polygon:
                d = distance_km(point, area.center)
                if d <= self.radius_km and (nearest is None or d < nearest[0]):
                    nearest = (d, area)
        return nearest[1] if nearest else None

    def find(self, text: str, address: str | None,
             location: tuple[float, float] | None) -> Area | None:
        """Address text first (the resident said so), then the location, then the request text."""
        if address:
            found = self.from_text(address)
            if found:
                return found
        if location is not None:
            found = self.from_location(location)
            if found:
                return found
        return self.from_text(text)
