"""`python -m bench`: run every benchmark and print its ratios."""

from bench.run import main

raise SystemExit(main())
