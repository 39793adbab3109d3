"""Page-number pagination with strict bounds, shared by the API and the pages."""

import math
from dataclasses import dataclass
from typing import Any

from huduma.core.errors import NotFound

MAX_PAGE_SIZE = 100


@dataclass
class Page:
    items: list
    count: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.count / self.page_size))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def paginate(items: Any, *, page: int, page_size: int) -> Page:
    """Slice a queryset or list. Page numbers beyond the last page are a 404 naming `page`."""
    count = items.count() if hasattr(items, "count") and not isinstance(items, list) else len(items)
    result = Page([], count, page, page_size)
    if page > result.pages:
        raise NotFound(f"There is no page {page}; the last page is {result.pages}.", field="page")
    start = (page - 1) * page_size
    result.items = list(items[start : start + page_size])
    return result
