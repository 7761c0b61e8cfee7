"""`python -m dashboard` is the `thidua` command."""

from dashboard.cli import main

raise SystemExit(main())
