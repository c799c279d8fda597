from django.urls import path

from . import views

app_name = "rollup"

urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("<int:year>/", views.ComparisonView.as_view(), name="compare"),
    path("<int:year>/pdf/", views.ComparisonPdfView.as_view(), name="pdf"),
    path("<int:year>/xlsx/", views.ComparisonXlsxView.as_view(), name="xlsx"),
]
