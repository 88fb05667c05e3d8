"""litectl package."""
