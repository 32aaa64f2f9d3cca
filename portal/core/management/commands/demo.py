"""Load the demo world. Safe to run again: what exists is left alone."""

from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

# Each app adds its loader here, in dependency order; each receives the shared ``world`` dict.
STEPS = [
    "portal.accounts.demo",
    "smeregistry.demo",
    "procurement.demo",
    "procurement.transparency.demo",
    "tradedocs.demo",
    "tradedocs.factoring.demo",
]


class Command(BaseCommand):
    help = "Load demo data: Peruvian entities, suppliers, a bank, an integrator and one user per role."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("demo data is never loaded in production (PORTAL_ENV=production)")
        world: dict = {}
        for step in STEPS:
            import_module(step).load(world)
            self.stdout.write(f"  loaded {step}")
        from portal.accounts.demo import DEMO_PASSWORD, PEOPLE

        self.stdout.write(self.style.SUCCESS("Demo data ready. Sign in with any of these users:"))
        for username, email, *_rest in PEOPLE:
            self.stdout.write(f"  {username:<12} {email:<30} password: {DEMO_PASSWORD}")
