"""`python -m plangov_app.cli`."""

from plangov_app.cli import main

main()
