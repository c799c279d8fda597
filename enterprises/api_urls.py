"""API routes of this app, mounted under /api/enterprises/ by config.urls."""

from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("enterprises", api.EnterpriseViewSet, basename="enterprise")
router.register("figures", api.EnterpriseYearStatViewSet, basename="enterprise-figure")
router.register("events", api.ReformEventViewSet, basename="enterprise-event")

urlpatterns = router.urls
