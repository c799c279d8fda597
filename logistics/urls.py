from django.urls import path

from . import views

app_name = "logistics"

urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    # The service centre (bureau)
    path("centre/", views.CentreView.as_view(), name="centre"),
    path("centre/new/", views.CentreCreateView.as_view(), name="centre_create"),
    path("centre/<int:pk>/edit/", views.CentreUpdateView.as_view(), name="centre_edit"),
    path("shops/new/", views.ShopCreateView.as_view(), name="shop_create"),
    path("shops/<int:pk>/edit/", views.ShopUpdateView.as_view(), name="shop_edit"),
    path("shops/<int:pk>/delete/", views.ShopDeleteView.as_view(), name="shop_delete"),
    path("figures/new/", views.FiguresCreateView.as_view(), name="figures_create"),
    path("figures/<int:pk>/edit/", views.FiguresUpdateView.as_view(), name="figures_edit"),
    path("figures/<int:pk>/delete/", views.FiguresDeleteView.as_view(), name="figures_delete"),
    path("sales/", views.SalesListView.as_view(), name="sales"),
    path("sales/new/", views.SalesCreateView.as_view(), name="sales_create"),
    path("sales/<int:pk>/edit/", views.SalesUpdateView.as_view(), name="sales_edit"),
    path("sales/<int:pk>/delete/", views.SalesDeleteView.as_view(), name="sales_delete"),
    path("investments/new/", views.InvestmentCreateView.as_view(), name="investment_create"),
    path("investments/<int:pk>/edit/", views.InvestmentUpdateView.as_view(), name="investment_edit"),
    path("investments/<int:pk>/delete/", views.InvestmentDeleteView.as_view(), name="investment_delete"),
    # 中考考生食宿保障
    path("exam/", views.ExamView.as_view(), name="exam"),
    path("exam/new/", views.ProgramCreateView.as_view(), name="program_create"),
    path("exam/<int:pk>/edit/", views.ProgramUpdateView.as_view(), name="program_edit"),
    path("exam/<int:pk>/delete/", views.ProgramDeleteView.as_view(), name="program_delete"),
    path("exam/<int:program_pk>/sites/new/", views.SiteCreateView.as_view(), name="site_create"),
    path("exam/sites/", views.SiteListView.as_view(), name="sites"),
    path("exam/sites/<int:pk>/", views.SiteDetailView.as_view(), name="site_detail"),
    path("exam/sites/<int:pk>/edit/", views.SiteUpdateView.as_view(), name="site_edit"),
    path("exam/sites/<int:pk>/delete/", views.SiteDeleteView.as_view(), name="site_delete"),
    # School services (principals: their own school)
    path("services/", views.ServiceListView.as_view(), name="services"),
    path("services/new/", views.ServiceCreateView.as_view(), name="service_create"),
    path("services/<int:pk>/edit/", views.ServiceUpdateView.as_view(), name="service_edit"),
    path("services/<int:pk>/delete/", views.ServiceDeleteView.as_view(), name="service_delete"),
]
