from django.core.management.base import BaseCommand

from aggregates import maintain


class Command(BaseCommand):
    help = "Recompute every per-school yearly aggregate and product price median from the data."

    def handle(self, *args, **options):
        maintain.rebuild(log=self.stdout.write)
