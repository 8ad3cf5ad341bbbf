from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import Agency, AuditEntry, OrganisationCategory, OutgoingEmail, TargetGroup, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("full_name",)
    list_display = ("full_name", "email", "agency", "is_active", "email_verified_at")
    list_filter = ("is_active", "groups", "agency__sector")
    search_fields = ("full_name", "email")
    list_select_related = ("agency",)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            "Details",
            {
                "fields": (
                    "full_name",
                    "job_title",
                    "agency",
                    "claimed_agency",
                    "agency_claim_refusal",
                    "unlisted_organisation",
                    "target_group",
                    "line_manager_name",
                    "line_manager_email",
                )
            },
        ),
        (
            "Access",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "email_verified_at", "deactivated_at")},
        ),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),)


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("name", "sector", "category", "contributing", "active", "email_domains")
    list_filter = ("sector", "category", "contributing", "active")
    search_fields = ("name",)


admin.site.register(OrganisationCategory)
admin.site.register(TargetGroup)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "actor", "action", "object_repr")
    search_fields = ("object_repr", "action")
    readonly_fields = [f.name for f in AuditEntry._meta.fields]


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    list_display = ("created_at", "subject", "sent_at", "attempts")
    readonly_fields = [f.name for f in OutgoingEmail._meta.fields]
