"""Date and time formats for the district's languages that Django leaves incomplete (settings
FORMAT_MODULE_PATH): Arabic has no date-and-time format of its own, so it fell back to the English
order ("ديسمبر 3, 2026, 9:41 ص"); Haitian Creole, Cape Verdean Creole and Somali have none at all."""
