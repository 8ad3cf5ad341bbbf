from .models import AuditEntry


def log_action(*, actor, action: str, obj, changes: dict | None = None) -> AuditEntry:
    """Record who did what to which object. Call it inside the service's transaction."""
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        changes=changes or {},
    )
