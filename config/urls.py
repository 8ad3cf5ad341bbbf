from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views

urlpatterns = [
    path("", account_views.home, name="home"),
    path("healthz", account_views.healthz, name="healthz"),
    path("accessibility", account_views.StaticPage.as_view(template_name="pages/accessibility.html"), name="accessibility"),
    path("privacy", account_views.StaticPage.as_view(template_name="pages/privacy.html"), name="privacy"),
    path("account/", include("accounts.urls")),
    path("manage/", include("accounts.manage_urls")),
    path("", include("courses.urls")),
    path("tna/", include("tna.urls")),
    path("admin/", admin.site.urls),
]

admin.site.site_header = settings.SERVICE_NAME
admin.site.site_title = settings.SERVICE_NAME
