from django.urls import path

from . import views

app_name = "labor_bases"

urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("copy-year/", views.CopyYearView.as_view(), name="copy_year"),
    path("years/", views.YearsView.as_view(), name="years"),
    path("bases/", views.BaseListView.as_view(), name="bases"),
    path("bases/new/", views.BaseCreateView.as_view(), name="base_create"),
    path("bases/<int:pk>/edit/", views.BaseUpdateView.as_view(), name="base_edit"),
    path("bases/<int:pk>/delete/", views.BaseDeleteView.as_view(), name="base_delete"),
    path("plots/", views.PlotListView.as_view(), name="plots"),
    path("plots/new/", views.PlotCreateView.as_view(), name="plot_create"),
    path("plots/<int:pk>/edit/", views.PlotUpdateView.as_view(), name="plot_edit"),
    path("plots/<int:pk>/delete/", views.PlotDeleteView.as_view(), name="plot_delete"),
    path("production/", views.LineListView.as_view(), name="lines"),
    path("production/new/", views.LineCreateView.as_view(), name="line_create"),
    path("production/<int:pk>/edit/", views.LineUpdateView.as_view(), name="line_edit"),
    path("production/<int:pk>/delete/", views.LineDeleteView.as_view(), name="line_delete"),
    path("finance/", views.FinanceListView.as_view(), name="finance"),
    path("finance/new/", views.FinanceCreateView.as_view(), name="finance_create"),
    path("finance/<int:pk>/edit/", views.FinanceUpdateView.as_view(), name="finance_edit"),
    path("finance/<int:pk>/delete/", views.FinanceDeleteView.as_view(), name="finance_delete"),
    path("activities/", views.ActivityListView.as_view(), name="activities"),
    path("activities/new/", views.ActivityCreateView.as_view(), name="activity_create"),
    path("activities/<int:pk>/edit/", views.ActivityUpdateView.as_view(), name="activity_edit"),
    path("activities/<int:pk>/delete/", views.ActivityDeleteView.as_view(), name="activity_delete"),
]
