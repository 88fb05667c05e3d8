"""litectl's compiler: load, validate, normalise and emit LiteLLM topology specs."""

__version__ = "0.1.0"
