"""Exceptions that cross the job boundary with a meaning the runners understand."""


class JobCancelled(Exception):
    """Raised inside a job at a checkpoint after cancel was requested."""


class BadInput(Exception):
    """The user's input (file, config value, device) is wrong; the message says what and how to fix it.

    Runners report it without a traceback and the CLI exits with code 2.
    """
