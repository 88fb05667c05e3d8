"""`python -m benchmarks`: the one benchmark command."""

from __future__ import annotations

from benchmarks.bench import main

raise SystemExit(main())
