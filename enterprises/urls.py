from django.urls import path

from . import views

app_name = "enterprises"

urlpatterns = [
    path("", views.EnterpriseListView.as_view(), name="index"),
    path("new/", views.EnterpriseCreateView.as_view(), name="create"),
    path("<int:pk>/", views.EnterpriseDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.EnterpriseUpdateView.as_view(), name="update"),
    path("<int:pk>/delete/", views.EnterpriseDeleteView.as_view(), name="delete"),
    path("figures/", views.FigureListView.as_view(), name="figures"),
    path("<int:enterprise_pk>/figures/new/", views.FigureCreateView.as_view(), name="figure_create"),
    path("figures/<int:pk>/edit/", views.FigureUpdateView.as_view(), name="figure_update"),
    path("figures/<int:pk>/delete/", views.FigureDeleteView.as_view(), name="figure_delete"),
    path("events/", views.EventListView.as_view(), name="events"),
    path("<int:enterprise_pk>/events/new/", views.EventCreateView.as_view(), name="event_create"),
    path("events/<int:pk>/edit/", views.EventUpdateView.as_view(), name="event_update"),
    path("events/<int:pk>/delete/", views.EventDeleteView.as_view(), name="event_delete"),
]
