"""API routes of this app, mounted under /api/insurance/ by config.urls."""

from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("insurers", api.InsurerViewSet, basename="insurance-insurer")
router.register("funding-rules", api.FundingRuleViewSet, basename="insurance-funding-rule")
router.register("policies", api.PolicyViewSet, basename="insurance-policy")
router.register("fundings", api.FundingViewSet, basename="insurance-funding")
router.register("coverages", api.CoverageViewSet, basename="insurance-coverage")
router.register("claims", api.ClaimViewSet, basename="insurance-claim")
router.register("claim-documents", api.ClaimDocumentViewSet, basename="insurance-claim-document")

urlpatterns = router.urls
