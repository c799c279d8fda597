app_name = "labor_bases"

urlpatterns: list = []
