"""`brightline demo`: seed the demo district and print its sign-ins (safe to run again)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from brightline.web.demo import seed_demo


class Command(BaseCommand):
    help = (
        "Seed the synthetic demo district (schools, students, guardians, agencies, one sign-in per persona) and "
        "write the sign-ins to $BRIGHTLINE_DATA_DIR/demo-credentials.json. Running it again resets the passwords "
        "and replaces the demo API token."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--seed", type=int, default=2026, help="seed of the synthetic roster (default 2026)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        result = seed_demo(data_dir=settings.DATA_DIR, seed=options["seed"])
        self.stdout.write(
            f"Demo district: {result['schools']} schools, {result['students']} students, "
            f"{result['guardians']} guardians, {result['agencies']} agencies."
        )
        self.stdout.write(f"Sign-ins (also in {result['credentials_file']}):")
        for user in result["users"]:
            self.stdout.write(f"  {user['role']:<18} {user['username']:<15} {user['password']}")
        for token in result["api_tokens"]:
            self.stdout.write(f"  API token for {token['agency']}: {token['token']}")
