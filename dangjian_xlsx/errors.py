"""Exceptions that carry a Chinese message meant for the user."""


class UserError(Exception):
    """An error the user can fix; the CLI prints its message without a traceback."""

    exit_code = 2


class ConfigError(UserError):
    """Bad campaign, roster or catalog: nothing is written."""
