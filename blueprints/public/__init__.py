"""Public pages: home and language switch."""

from .routes import bp

__all__ = ["bp"]
