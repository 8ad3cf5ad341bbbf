from django.contrib import admin

from .models import Assignment, Membership, MembershipCriterion, PoolPolicy, StatusChange, TrainerCommitment


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    readonly_fields = ("status", "changed_at", "changed_by", "reason")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("person", "status", "trained_on")
    list_filter = ("status",)
    search_fields = ("person__full_name", "person__email")
    raw_id_fields = ("person", "endorsed_by", "reviewed_by")
    inlines = [StatusChangeInline]


admin.site.register(MembershipCriterion)
admin.site.register(PoolPolicy)
admin.site.register(TrainerCommitment)
admin.site.register(Assignment)
