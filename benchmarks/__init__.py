"""litectl's benchmark: cold `litectl` processes against real Helm rendering the compiled chart.

Run it with `bash benchmarks/run` (or `python -m benchmarks` from the repository root); see the
README's Benchmarks section. Nothing here is imported by litectl itself.
"""
