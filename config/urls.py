from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from reports.views_verify import VerifyView
from workstudy import api, views, views_chasing, views_history, views_review, views_schools

# The admin modules load with the URLs, not at every process start (settings: SimpleAdminConfig).
# Without this call the admin had no models at all (and the permission matrix's admin test
# collected none).
admin.autodiscover()

router = SimpleRouter()
router.register("schools", api.SchoolViewSet, basename="school")
router.register("years", api.ReportingYearViewSet, basename="year")
router.register("submissions", api.SubmissionViewSet, basename="submission")

DOMAIN_APPS = ["enterprises", "labor_bases", "logistics", "insurance", "reports"]

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("health/", views.health, name="health"),
    path("verify/", VerifyView.as_view(), name="verify"),
    path("robots.txt", views.robots, name="robots"),
    path("my/counts/", views.SubmissionCountsView.as_view(), name="my_counts"),
    path("schools/<int:school_id>/counts/", views.SubmissionCountsView.as_view(), name="school_counts"),
    path("submissions/<int:pk>/", views_review.SubmissionDetailView.as_view(), name="submission_detail"),
    path("submissions/<int:pk>/warnings/<str:action>/", views_review.WarningNoteView.as_view(), name="warning_note"),
    path("submissions/approve/", views_chasing.BulkApproveView.as_view(), name="bulk_approve"),
    path("submissions/<int:pk>/<str:action>/", views.SubmissionActionView.as_view(), name="submission_action"),
    path("years/", views.YearListView.as_view(), name="years"),
    path("years/create/", views.YearCreateView.as_view(), name="year_create"),
    path("years/<int:year>/deadline/", views_chasing.YearDeadlineView.as_view(), name="year_deadline"),
    path("years/<int:year>/remind/", views_chasing.YearRemindView.as_view(), name="year_remind"),
    path("years/<int:year>/<str:action>/", views.YearActionView.as_view(), name="year_action"),
    path("reminders/", views_chasing.ReminderListView.as_view(), name="reminders"),
    path("schools/", views.SchoolListView.as_view(), name="schools"),
    path("schools/search/", views_schools.SchoolSearchView.as_view(), name="school_search"),
    path("pick/<slug:key>/", views_schools.PickerSearchView.as_view(), name="picker_search"),
    path("schools/new/", views.SchoolEditView.as_view(), name="school_new"),
    path("schools/<int:pk>/edit/", views.SchoolEditView.as_view(), name="school_edit"),
    path("users/", views.UserListView.as_view(), name="users"),
    path("history/<str:app_label>/<str:model_name>/<int:pk>/", views_history.HistoryView.as_view(), name="history"),
    path("rules/", views.RulesView.as_view(), name="rules"),
    path("excel/", include("workstudy.urls_excel")),
    path("admin/", admin.site.urls),
    # The API's description is for people signed in: anyone else goes to the login page.
    path("api/schema/", login_required(SpectacularAPIView.as_view()), name="api-schema"),
    path("api/docs/", login_required(SpectacularSwaggerSplitView.as_view(url_name="api-schema")), name="api-docs"),
    path("api/", include(router.urls)),
    path("labor-education/", include("labor_education.urls")),
    path("statreturn/", include("statreturn.urls")),
    path("rollup/", include("rollup.urls")),
    path("upward/", include("upward.urls")),
]

for app in DOMAIN_APPS:
    urlpatterns += [
        path(f"api/{app.replace('_', '-')}/", include(f"{app}.api_urls")),
        path(f"{app.replace('_', '-')}/", include(f"{app}.urls")),
    ]
