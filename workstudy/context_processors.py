from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject, lazy

from . import modules


def _nav(user):
    items = []
    for item in modules.nav_for(user):
        try:
            items.append({"title": item.title, "url": reverse(item.url_name)})
        except NoReverseMatch:  # tests/workstudy/test_core.py checks every nav item resolves
            continue
    return items


def bureau_of_region(region) -> str:
    """The education authority of ``region`` (:meth:`Region.bureau_name`); with no region, the
    deployment's (``PORTAL_BUREAU_NAME``)."""
    return region.bureau_name() if region is not None else settings.PORTAL_BUREAU_NAME


def user_region(user):
    """The region a signed-in user works for (:func:`workstudy.scoping.region_of`)."""
    from . import scoping

    return scoping.region_of(user) if user is not None else None


def portal(request):
    user = getattr(request, "user", None)
    # Lazy: read (one query at most, usually none - the pages' scoping has loaded the region)
    # only when the page prints the header.
    region = SimpleLazyObject(lambda: _Region(user_region(user)))
    return {
        "county_name": lazy(lambda: region.name, str)(),
        "bureau_name": lazy(lambda: region.bureau, str)(),
        "nav_modules": _nav(user) if user is not None and user.is_authenticated else [],
    }


class _Region:
    """The header's region: its name (the deployment's county when the user has none) and its bureau."""

    def __init__(self, region):
        self.name = region.name if region is not None else settings.PORTAL_COUNTY_NAME
        self.bureau = bureau_of_region(region)
