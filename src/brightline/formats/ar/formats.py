"""Arabic: the day before the month, as in DATE_FORMAT, with a 24-hour time."""

DATETIME_FORMAT = "j F، Y، H:i"
