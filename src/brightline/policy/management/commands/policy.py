"""`brightline policy eval|test|validate`: the policy engine from the command line, with no database;
`brightline policy simulate|seed-default`: "what would change" over past requests, and recording the
shipped default as a version (these two use the database).

Exit status: 0 when all is well; 1 when policy tests fail or a policy is invalid; 2 on bad input
(a missing or malformed file, an invalid case), with a message naming the file or the field path.
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from brightline.policy.cli import InputError, evaluate, policy_for, run_tests, validate


class Command(BaseCommand):
    help = (
        "Evaluate a case, run policy test suites, validate a policy against the schema; simulate a draft over "
        "past requests; record the shipped default as a version."
    )
    # eval, test and validate are pure computation: no system checks, no migrations, no database.
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(
            dest="subcommand", required=True, metavar="{eval,test,validate,simulate,seed-default}"
        )

        evaluate_parser = commands.add_parser("eval", help="print the triage result of a case (JSON)")
        evaluate_parser.add_argument("case", metavar="CASE.json")
        evaluate_parser.add_argument(
            "--policy", metavar="FILE", help="a Cedar policy file (default: the default policy)"
        )

        test_parser = commands.add_parser("test", help="run policy test suites; exit 1 on any failure")
        test_parser.add_argument("path", metavar="PATH", help="a suite file or a folder of *.json suites")
        test_parser.add_argument(
            "--policy", metavar="FILE", help="a Cedar policy file (default: the default policy)"
        )

        validate_parser = commands.add_parser("validate", help="check a policy against the schema")
        validate_parser.add_argument("file", metavar="FILE")
        validate_parser.add_argument(
            "--schema", metavar="FILE", help="a Cedar schema (default: the shipped one)"
        )

        simulate_parser = commands.add_parser(
            "simulate", help="re-triage past requests under a draft; list every item that would change"
        )
        simulate_parser.add_argument(
            "draft", metavar="DRAFT_FILE_OR_VERSION", help="a Cedar file, or the number of a stored version"
        )
        simulate_parser.add_argument("--months", type=int, default=12, help="how far back (default 12)")
        simulate_parser.add_argument("--json", action="store_true", help="print the report as JSON")

        seed_parser = commands.add_parser(
            "seed-default",
            help="record the shipped default policy as a version (a draft once any version exists)",
        )
        seed_parser.add_argument("--dry-run", action="store_true", help="say what would be recorded")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            match options["subcommand"]:
                case "eval":
                    result = evaluate(options["case"], options.get("policy"))
                    self.stdout.write(json.dumps(result, indent=2, ensure_ascii=False))
                case "test":
                    _, failed = run_tests(options["path"], options.get("policy"), report=self.stdout.write)
                    if failed:
                        raise CommandError(f"{failed} policy test case(s) failed", returncode=1)
                case "validate":
                    problems = validate(options["file"], options.get("schema"))
                    if problems:
                        for problem in problems:
                            self.stderr.write(f"{options['file']}: {problem}")
                        raise CommandError(f"{options['file']}: invalid policy", returncode=1)
                    self.stdout.write(f"{options['file']}: valid")
                case "simulate":
                    self._simulate(options["draft"], options["months"], as_json=options["json"])
                case "seed-default":
                    self._seed_default(dry_run=options["dry_run"])
        except InputError as error:
            raise CommandError(str(error), returncode=2) from error

    def _simulate(self, draft: str, months: int, *, as_json: bool) -> None:
        from brightline.policy.models import Version
        from brightline.policy.replay import simulate_months
        from brightline.policy.stored import engine_policy

        if not 1 <= months <= 120:
            raise InputError("--months: between 1 and 120")
        if draft.isdigit():
            version = Version.objects.filter(number=int(draft)).first()
            if version is None:
                raise InputError(f"{draft}: no stored policy version with this number")
            policy = engine_policy(version)
        else:
            policy = policy_for(draft)
        report = simulate_months(policy, months=months)
        if as_json:
            self.stdout.write(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
            return
        info = report.policy
        self.stdout.write(
            f"Policy {info['id']} {info['version']} ({info['sha256'][:12]}) over requests received "
            f"{report.since:%Y-%m-%d} to {report.until:%Y-%m-%d}: {report.requests} requests, {report.items} items."
        )
        self.stdout.write(
            f"{len(report.changed)} items would change: "
            + ", ".join(f"{name} {count}" for name, count in report.by_change.items())
        )
        for rule, count in report.by_rule:
            self.stdout.write(f"  rule {rule:<3} {count}")
        for item in report.changed:
            before, after = item.before, item.after
            self.stdout.write(
                f"{item.reference} {item.student_id} {item.category}: "
                f"{before.outcome}/{before.reviewer or '-'} [{','.join(before.rules)}] -> "
                f"{after.outcome}/{after.reviewer or '-'} [{','.join(after.rules)}] ({', '.join(item.changes)})"
            )
        for reference, why in report.not_replayed:
            self.stderr.write(f"{reference}: not replayed: {why}")

    def _seed_default(self, *, dry_run: bool) -> None:
        from django.db import transaction

        from brightline.policy.services import policy_default_seed

        with transaction.atomic():
            version = policy_default_seed()
            if version is None:
                self.stdout.write("The shipped default policy is already recorded: nothing to do.")
                return
            what = "effective from the beginning" if version.status == "effective" else "a draft"
            self.stdout.write(
                f"{'Would record' if dry_run else 'Recorded'} the shipped default as version "
                f"{version.number} ({version.label}), {what}."
            )
            if dry_run:
                transaction.set_rollback(True)
