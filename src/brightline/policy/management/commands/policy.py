"""`brightline policy eval|test|validate`: the policy engine from the command line, with no database.

Exit status: 0 when all is well; 1 when policy tests fail or a policy is invalid; 2 on bad input
(a missing or malformed file, an invalid case), with a message naming the file or the field path.
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from brightline.policy.cli import InputError, evaluate, run_tests, validate


class Command(BaseCommand):
    help = "Evaluate a case, run policy test suites, or validate a policy against the schema."
    # Pure computation: no system checks, no migrations, no database.
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True, metavar="{eval,test,validate}")

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
        except InputError as error:
            raise CommandError(str(error), returncode=2) from error
