"""Bright Line: case-by-case, checkable decisions on outside requests for student records."""
