from django.urls import path

from . import views

app_name = "upward"

urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("<int:year>/", views.YearView.as_view(), name="year"),
    path("<int:year>/<int:pk>/", views.RegionView.as_view(), name="region"),
    path("<int:year>/<int:pk>/<str:action>/", views.ActionView.as_view(), name="action"),
]
