from django.conf import settings
from django.urls import reverse

from . import modules


def portal(request):
    user = getattr(request, "user", None)
    nav = []
    if user is not None and user.is_authenticated:
        nav = [{"title": item.title, "url": reverse(item.url_name)} for item in modules.nav_for(user)]
    return {
        "county_name": settings.PORTAL_COUNTY_NAME,
        "bureau_name": settings.PORTAL_BUREAU_NAME,
        "nav_modules": nav,
    }
