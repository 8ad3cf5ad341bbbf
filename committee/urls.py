from django.urls import path

from . import views

app_name = "committee"

urlpatterns = [
    path("", views.index, name="index"),
    path("audits/new", views.audit_new, name="audit-new"),
    path("audits/<int:pk>", views.audit, name="audit"),
    path("audits/<int:pk>/report", views.audit_report, name="audit-report"),
    path("audit", views.my_audit, name="my-audit"),
    path("audit-returns/<int:pk>", views.audit_return, name="audit-return"),
    path("audit-returns/<int:pk>/answers", views.audit_answers, name="audit-answers"),
    path("audit-returns/<int:pk>/check", views.audit_check, name="audit-check"),
    path("audit-returns/<int:pk>/reopen", views.audit_reopen, name="audit-reopen"),
    path("audit-returns/<int:pk>/rate", views.audit_rate, name="audit-rate"),
    path("papers/<int:pk>", views.paper, name="paper"),
    path("papers/<int:pk>/download", views.paper_download, name="paper-download"),
    path("advice", views.advice, name="advice"),
    path("advice/<int:pk>", views.advice_answer, name="advice-answer"),
    path("members", views.members, name="members"),
    path("members/new", views.member_new, name="member-new"),
    path("members/<int:pk>/left", views.member_left, name="member-left"),
    path("meetings", views.meetings, name="meetings"),
    path("meetings/new", views.meeting_new, name="meeting-new"),
    path("meetings/<int:pk>", views.meeting, name="meeting"),
    path("meetings/<int:pk>/attendance", views.meeting_attendance, name="meeting-attendance"),
    path("meetings/<int:pk>/papers", views.meeting_paper, name="meeting-paper"),
    path("meetings/<int:pk>/decisions", views.meeting_decision, name="meeting-decision"),
    path("meetings/<int:pk>/actions", views.meeting_action, name="meeting-action"),
    path("actions", views.actions, name="actions"),
    path("actions/<int:pk>/close", views.action_close, name="action-close"),
    path("issues", views.issues, name="issues"),
    path("issues/<int:pk>", views.issue, name="issue"),
    path("years/<int:pk>/plan", views.plan, name="plan"),
    path("years/<int:pk>/plan/changes", views.plan_change, name="plan-change"),
    path("years/<int:pk>/plan/approval", views.plan_approve, name="plan-approve"),
    path("years/<int:pk>/money", views.money, name="money"),
    path("years/<int:pk>/money/rate", views.money_rate, name="money-rate"),
    path("years/<int:pk>/money/received", views.money_receipt, name="money-receipt"),
    path("years/<int:pk>/deliveries", views.deliveries, name="deliveries"),
    path("sessions/<int:pk>/delivery", views.delivery, name="delivery"),
]
