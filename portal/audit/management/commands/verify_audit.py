from django.core.management.base import BaseCommand, CommandError

from portal.audit.models import AuditEvent
from portal.audit.services import audit_verify


class Command(BaseCommand):
    help = "Check the audit trail's hash chain; exits non-zero and names the first bad row."

    def handle(self, *args, **options):
        for problem in audit_verify():
            raise CommandError(f"audit trail broken at event #{problem.event_id}: {problem.reason}")
        self.stdout.write(self.style.SUCCESS(f"audit trail intact: {AuditEvent.objects.count()} events"))
