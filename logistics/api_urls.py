"""API routes of this app, mounted under /api/logistics/ by config.urls."""

from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("centres", api.ServiceCentreViewSet, basename="logistics-centre")
router.register("shops", api.ShopViewSet, basename="logistics-shop")
router.register("figures", api.CentreYearFiguresViewSet, basename="logistics-figures")
router.register("sales", api.SalesLineViewSet, basename="logistics-sales")
router.register("investments", api.CapitalInvestmentViewSet, basename="logistics-investment")
router.register("exam-programs", api.ExamLodgingProgramViewSet, basename="logistics-exam-program")
router.register("exam-sites", api.ExamSiteViewSet, basename="logistics-exam-site")
router.register("school-services", api.SchoolServiceViewSet, basename="logistics-school-service")

urlpatterns = router.urls
