"""The demo district: a synthetic roster, one sign-in per persona and a simulated year of requests.

Installed with the `demo` extra (`pip install 'brightline[demo]'`; `make run` does it) and never imported
by the product. Without the extra this package does not import, and the settings leave the app out.
"""

# The demo extra's dependency: the simulated year moves the clock. A district's install lacks it, so
# importing the demo fails there, before anything of the demo is loaded.
import time_machine  # noqa: F401
