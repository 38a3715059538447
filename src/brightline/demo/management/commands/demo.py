"""`brightline demo`: seed the demo district and print its sign-ins (safe to run again)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from brightline.demo.district import (
    current_code,
    load_credentials,
    policy_history,
    seed_demo,
    simulate_demo_year,
)


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
        parser.add_argument(
            "--requests",
            type=int,
            default=2000,
            help="requests in the simulated year, played once through the real services (0: none; default 2000)",
        )
        parser.add_argument(
            "--show", action="store_true", help="print the sign-ins written by an earlier run and stop"
        )
        parser.add_argument(
            "--code",
            metavar="USERNAME",
            help="print the current second-factor code of a demo persona and stop",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["code"]:
            try:
                self.stdout.write(current_code(data_dir=settings.DATA_DIR, username=options["code"]))
            except (LookupError, OSError) as error:
                raise CommandError(str(error), returncode=2) from None
            return
        if options["show"]:
            try:
                self._show(load_credentials(data_dir=settings.DATA_DIR))
            except (OSError, ValueError, KeyError) as error:
                raise CommandError(f"no demo sign-ins to show: {error}", returncode=2) from None
            return
        result = seed_demo(data_dir=settings.DATA_DIR, seed=options["seed"])
        self.stdout.write(
            f"Demo district: {result['schools']} schools, {result['students']} students, "
            f"{result['guardians']} guardians, {result['agencies']} agencies."
        )
        self.stdout.write(f"Sign-ins (also in {result['credentials_file']}):")
        self._show(result)
        self.stdout.write("Second factor: `brightline demo --code USERNAME` prints a persona's current code.")
        self.stdout.write(f"Simulating a year of requests ({options['requests']}) through the real services…")
        tally = simulate_demo_year(requests=options["requests"], progress=self.stdout.write)
        if tally is None:
            self.stdout.write("  the district already has requests: the simulated year is not played again.")
        else:
            self.stdout.write(
                f"  {tally.get('released', 0)} releases, {sum(v for k, v in tally.items() if k.startswith('state:closed'))}"
                f" requests closed with nothing released, {tally.get('after_the_fact', 0)} after-the-fact entries."
            )
            self.stdout.write(
                f"  Emergencies determined by the district: {tally.get('determined:found', 0)} found, "
                f"{tally.get('determined:declined', 0)} not found; left until the emergency ended and sent back "
                f"to review at release: {tally.get('emergency_ended', 0)}."
            )
        self.stdout.write("Policy history:")
        for line in policy_history():
            self.stdout.write(f"  {line}")

    def _show(self, credentials: dict[str, Any]) -> None:
        for user in credentials["users"]:
            self.stdout.write(f"  {user['role']:<18} {user['username']:<15} {user['password']}")
        for token in credentials["api_tokens"]:
            self.stdout.write(f"  API token for {token['agency']}: {token['token']}")
