"""DESIGN §5 lists are cursor-paginated: the extra row says only that a next page exists."""

from vbpkit.web.pagination import cut


class TestCut:
    def test_a_full_page_with_more_gives_the_last_shown_as_cursor(self):
        assert cut([1, 2, 3, 4], 3, str) == ([1, 2, 3], "3")

    def test_the_last_page_has_no_cursor(self):
        assert cut([1, 2, 3], 3, str) == ([1, 2, 3], None)
        assert cut([], 3, str) == ([], None)
