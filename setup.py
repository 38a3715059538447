"""The one compiled part: batch SHA-256 for ledger verification (src/brightline/ledger/_speedups.c).

Optional: without a C compiler or OpenSSL's headers the build goes on without it and
brightline.ledger.hashing uses hashlib instead (same results, slower `ledger verify`).
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "brightline.ledger._speedups",
            ["src/brightline/ledger/_speedups.c"],
            libraries=["crypto"],
            extra_compile_args=["-O2"],
            optional=True,
        )
    ]
)
