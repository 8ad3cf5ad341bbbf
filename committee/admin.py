from django.contrib import admin

from .models import AdviceRequest, AuditQuestion, CommitteePaper

admin.site.register(AuditQuestion)
admin.site.register(CommitteePaper)
admin.site.register(AdviceRequest)
