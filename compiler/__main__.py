"""`python -m litectl.compiler` runs the litectl command line."""

from litectl.compiler.cli import main

main()
