from django.conf import settings
from django.urls import NoReverseMatch, reverse

from . import modules


def _nav(user):
    items = []
    for item in modules.nav_for(user):
        try:
            items.append({"title": item.title, "url": reverse(item.url_name)})
        except NoReverseMatch:  # tests/workstudy/test_core.py checks every nav item resolves
            continue
    return items


def portal(request):
    user = getattr(request, "user", None)
    return {
        "county_name": settings.PORTAL_COUNTY_NAME,
        "bureau_name": settings.PORTAL_BUREAU_NAME,
        "nav_modules": _nav(user) if user is not None and user.is_authenticated else [],
    }
