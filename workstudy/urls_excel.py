from django.urls import path

from . import views_excel

app_name = "excel"

urlpatterns = [
    path("<slug:key>/template.xlsx", views_excel.TemplateDownloadView.as_view(), name="template"),
    path("<slug:key>/import/", views_excel.ImportView.as_view(), name="import"),
    path("<slug:key>/export.xlsx", views_excel.ExportView.as_view(), name="export"),
]
