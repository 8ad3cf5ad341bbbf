from django.contrib import admin

from .models import ReminderLog, TnaCycle, TnaReturn, TrainingYear

admin.site.register(TrainingYear)
admin.site.register(TnaCycle)
admin.site.register(ReminderLog)


@admin.register(TnaReturn)
class TnaReturnAdmin(admin.ModelAdmin):
    list_display = ("agency", "cycle", "status", "submitted_at")
    list_filter = ("status", "cycle")
