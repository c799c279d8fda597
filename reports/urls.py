from django.urls import path

from . import views, views_facts

app_name = "reports"

urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("documents/", views.DocumentListView.as_view(), name="documents"),
    path("documents/new/", views.DocumentEditView.as_view(), name="document_new"),
    path("documents/<int:pk>/edit/", views.DocumentEditView.as_view(), name="document_edit"),
    path("facts/", views_facts.FactListView.as_view(), name="facts"),
    path("facts/<str:kind>/edit/", views_facts.FactEditView.as_view(), name="fact_edit"),
    path("<int:year>/examples/", views_facts.ExampleSchoolsView.as_view(), name="examples"),
    path("<int:year>/stated/", views_facts.StatedFiguresView.as_view(), name="stated"),
    path("<int:year>/", views.SummaryView.as_view(), name="summary"),
    path("<int:year>/summary.pdf", views.SummaryPdfView.as_view(), name="summary_pdf"),
    path("<int:year>/summary.pdf.sha256", views.SummaryShaView.as_view(), name="summary_sha256"),
    path("<int:year>/quality.xlsx", views.QualityWorkbookView.as_view(), name="quality_xlsx"),
    path("<int:year>/settings/", views.SettingsEditView.as_view(), name="settings"),
    path("<int:year>/narratives/<str:section>/", views.NarrativeEditView.as_view(), name="narrative_edit"),
    path("<int:year>/schools/<int:school_id>.pdf", views.SchoolSheetView.as_view(), name="school_sheet"),
    path("archive/<int:pk>.pdf", views.ArchivedDocumentView.as_view(), name="archived_document"),
]
