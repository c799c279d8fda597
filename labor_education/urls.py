from django.urls import path

from . import views

app_name = "labor_education"

urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("new/", views.CreateView.as_view(), name="create"),
    path("<int:pk>/edit/", views.UpdateView.as_view(), name="edit"),
    path("<int:pk>/delete/", views.DeleteView.as_view(), name="delete"),
]
