from django.contrib import admin
from django.urls import include, path, re_path

from headway.api.fallback import api_not_found
from headway.api.router import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    re_path(r"^api/v1/(?P<path>.*)$", api_not_found),
    path("", include("headway.web.urls")),
]
