"""Errors a user can cause and fix: the CLI prints them as one line and exits with code 2."""


class UserError(Exception):
    """A problem with the user's input, options or files (not a bug in llie-video)."""


class ConfigError(UserError):
    """A configuration file or override is invalid."""
