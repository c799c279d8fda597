from django.urls import path

from . import views

app_name = "statreturn"

urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("<int:year>/", views.ReturnView.as_view(), name="return"),
    path("<int:year>/xlsx/", views.ReturnXlsxView.as_view(), name="xlsx"),
    path("<int:year>/sources/<str:code>/", views.SourcesView.as_view(), name="sources"),
    path("figures/", views.FigureListView.as_view(), name="figures"),
    path("figures/new/", views.FigureCreateView.as_view(), name="create"),
    path("figures/<int:pk>/edit/", views.FigureUpdateView.as_view(), name="edit"),
    path("figures/<int:pk>/delete/", views.FigureDeleteView.as_view(), name="delete"),
]
