"""A page of a long list read without counting the list: one row more than the page is read,
and that row says whether an older page exists. For lists that grow without end (the learnings
library reads ~10,000 decided hypotheses of a tracker's businesses), where counting every row
on every view costs more than reading the page, and people move on by searching and filtering,
not by jumping to page 200."""

from dataclasses import dataclass

from .query_params import int_param

# The furthest page a link may ask for: past it, the offset alone would walk the whole list.
PAGE_MAX = 10_000


@dataclass(frozen=True)
class Page:
    """What templates/_pager.html reads of a page: its number and its neighbours (no count)."""

    number: int
    object_list: list
    has_next: bool
    paginator = None  # no count: the pager says "Page 3", not "Page 3 of …"

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1

    def __len__(self) -> int:
        return len(self.object_list)

    def __iter__(self):
        return iter(self.object_list)


def page_of(rows, page_param, per_page: int) -> Page:
    """The page `page_param` asks for (the first when it is not a page number) of the ordered
    queryset `rows`, in one query of per_page + 1 rows."""
    number = int_param(page_param, default=1, minimum=1, maximum=PAGE_MAX)
    start = (number - 1) * per_page
    found = list(rows[start : start + per_page + 1])
    return Page(number=number, object_list=found[:per_page], has_next=len(found) > per_page)
