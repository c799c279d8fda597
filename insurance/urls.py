app_name = "insurance"

urlpatterns: list = []
