from django.urls import path

from . import views

app_name = "insurance"

urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("coverage/", views.CoverageListView.as_view(), name="coverage_list"),
    path("coverage/missing/", views.MissingCoverageView.as_view(), name="coverage_missing"),
    path("coverage/new/", views.CoverageCreateView.as_view(), name="coverage_new"),
    path("coverage/<int:pk>/edit/", views.CoverageUpdateView.as_view(), name="coverage_edit"),
    path("coverage/<int:pk>/delete/", views.CoverageDeleteView.as_view(), name="coverage_delete"),
    path("policies/", views.PolicyListView.as_view(), name="policy_list"),
    path("policies/new/", views.PolicyCreateView.as_view(), name="policy_new"),
    path("policies/<int:pk>/", views.PolicyDetailView.as_view(), name="policy_detail"),
    path("policies/<int:pk>/edit/", views.PolicyUpdateView.as_view(), name="policy_edit"),
    path("policies/<int:pk>/delete/", views.PolicyDeleteView.as_view(), name="policy_delete"),
    path("policies/<int:policy_pk>/funding/new/", views.FundingCreateView.as_view(), name="funding_new"),
    path("funding/", views.FundingListView.as_view(), name="funding_list"),
    path("funding/<int:pk>/edit/", views.FundingUpdateView.as_view(), name="funding_edit"),
    path("funding/<int:pk>/delete/", views.FundingDeleteView.as_view(), name="funding_delete"),
    path("insurers/", views.InsurerListView.as_view(), name="insurer_list"),
    path("insurers/new/", views.InsurerCreateView.as_view(), name="insurer_new"),
    path("insurers/<int:pk>/edit/", views.InsurerUpdateView.as_view(), name="insurer_edit"),
    path("funding-rules/", views.FundingRuleListView.as_view(), name="rule_list"),
    path("funding-rules/new/", views.FundingRuleCreateView.as_view(), name="rule_new"),
    path("funding-rules/<int:pk>/edit/", views.FundingRuleUpdateView.as_view(), name="rule_edit"),
    path("claims/", views.ClaimListView.as_view(), name="claim_list"),
    path("claims/export.xlsx", views.ClaimExportView.as_view(), name="claim_export"),
    path("claims/new/", views.ClaimCreateView.as_view(), name="claim_new"),
    path("claims/<int:pk>/", views.ClaimDetailView.as_view(), name="claim_detail"),
    path("claims/<int:pk>/edit/", views.ClaimUpdateView.as_view(), name="claim_edit"),
    path("claims/<int:pk>/advance/", views.ClaimAdvanceView.as_view(), name="claim_advance"),
    path("claims/<int:pk>/documents/", views.ClaimDocumentView.as_view(), name="claim_document"),
    path("claims/<int:pk>/files/", views.ClaimFileUploadView.as_view(), name="claim_file_upload"),
    path("claims/<int:pk>/files/<int:file_pk>/", views.ClaimFileDownloadView.as_view(), name="claim_file"),
    path("claims/<int:pk>/files/<int:file_pk>/delete/", views.ClaimFileDeleteView.as_view(), name="claim_file_delete"),
]
