"""Everything the service holds about a person, for their own download (a subject access request).

Each app adds its part from its own `privacy.py` (a `personal_data(person)`
function), found in the order of INSTALLED_APPS, so `accounts` need not
import the apps that depend on it.
"""

from common.registry import app_modules

from .models import AuditEntry, OutgoingEmail


def personal_data(person) -> dict:
    return {
        "account": {
            "name": person.full_name,
            "email": person.email,
            "job_title": person.job_title,
            "organisation": person.organisation_name,
            "agency_waiting_to_confirm_you": person.claimed_agency.name if person.claimed_agency_id else None,
            "agency_claim_refused": person.agency_claim_refusal or None,
            "staff_group": str(person.target_group) if person.target_group_id else None,
            "line_manager_name": person.line_manager_name,
            "line_manager_email": person.line_manager_email,
            "roles": sorted(person.groups.values_list("name", flat=True)),
            "joined": person.date_joined.isoformat(),
            "email_confirmed": person.email_verified_at.isoformat() if person.email_verified_at else None,
        },
        "changes_to_your_account": [
            {"when": e.created_at.isoformat(), "what": e.action, "details": e.change_lines()}
            for e in AuditEntry.objects.filter(object_type="accounts.user", object_id=str(person.pk))
        ],
        "emails_sent_to_you": [
            {
                "when": e.created_at.isoformat(),
                "subject": e.subject,
                "sent": e.sent_at.isoformat() if e.sent_at else None,
            }
            # The recipients are a JSON list: match the address as text, then exactly.
            for e in OutgoingEmail.objects.filter(to__icontains=person.email).order_by("created_at")
            if person.email in e.to
        ],
    }


def everything_about(person) -> dict:
    data = {"accounts": personal_data(person)}
    for module in app_modules("privacy"):
        data[module.__name__.split(".")[0]] = module.personal_data(person)
    return data
