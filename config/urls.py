from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views
from config import home
from config import views as site_views

urlpatterns = [
    path("", home.home, name="home"),
    path("healthz", site_views.healthz, name="healthz"),
    path("healthz/background", site_views.healthz_background, name="healthz-background"),
    path(
        "accessibility",
        account_views.StaticPage.as_view(template_name="pages/accessibility.html"),
        name="accessibility",
    ),
    path("privacy", account_views.StaticPage.as_view(template_name="pages/privacy.html"), name="privacy"),
    path("account/", include("accounts.urls")),
    path("manage/", include("accounts.manage_urls")),
    path("", include("courses.urls")),
    path("tna/", include("tna.urls")),
    path("pool/", include("pool.urls")),
    path("evaluation/", include("evaluation.urls")),
    path("committee/", include("committee.urls")),
    path("reports/", include("reports.urls")),
    path("manage/records/", include("transfer.urls")),
]

if settings.ADMIN_ENABLED:
    urlpatterns += [
        # The admin's own sign-in takes a password alone: everyone signs in through the service's.
        path("admin/login/", account_views.admin_sign_in, name="admin-sign-in"),
        path("admin/", admin.site.urls),
    ]

if settings.BENCHMARK_BARE_VIEW:
    # Only for `make bench`: the cheapest page through the same middleware, to compare pages with.
    from django.http import HttpResponse

    urlpatterns.append(
        path("bench/bare", lambda request: HttpResponse("ok", content_type="text/plain"), name="bench-bare")
    )
    # The same, but finding the signed-in person and their roles as every signed-in page must.
    urlpatterns.append(
        path(
            "bench/bare-signed-in",
            lambda request: HttpResponse(",".join(sorted(request.user.role_names)), content_type="text/plain"),
            name="bench-bare-signed-in",
        )
    )

admin.site.site_header = settings.SERVICE_NAME
admin.site.site_title = settings.SERVICE_NAME

handler500 = "config.views.server_error"
