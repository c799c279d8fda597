"""API routes of this app, mounted under /api/labor-bases/ by config.urls."""

from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("bases", api.LaborBaseViewSet, basename="labor-base")
router.register("areas", api.BaseYearAreaViewSet, basename="labor-area")
router.register("plots", api.LandParcelViewSet, basename="labor-plot")
router.register("production", api.ProductionLineViewSet, basename="labor-line")
router.register("finance", api.BaseYearFinanceViewSet, basename="labor-finance")
router.register("activities", api.StudentPracticeActivityViewSet, basename="labor-activity")

urlpatterns = router.urls
