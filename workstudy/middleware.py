"""Request hygiene shared by every page and API list."""

from __future__ import annotations


class DropNullCharactersMiddleware:
    """Drop NUL characters from the query string's values before any view reads them.

    Lists filter on what the user typed (``?q=``, ``?product=``, ``?school=``...), and
    PostgreSQL refuses a NUL in a query: one pasted character made the page fail with a
    server error. No one means a NUL in a search, so it is removed here, once for every
    filter, instead of in each view. (Forms' text fields already refuse NULs with a message.)
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "%00" in request.META.get("QUERY_STRING", ""):  # how a NUL arrives in a URL
            cleaned = request.GET.copy()
            for key in list(cleaned):
                cleaned.setlist(key, [value.replace("\x00", "") for value in cleaned.getlist(key)])
            cleaned._mutable = False
            request.GET = cleaned
        return self.get_response(request)
