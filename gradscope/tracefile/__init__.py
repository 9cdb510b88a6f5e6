"""The trace file: JSON Lines, a header line then one event per line (never pickle)."""

FORMAT = "gradscope-trace"
VERSION = 1


class TraceFileError(ValueError):
    """A trace file that cannot be read; the message is one line for the user."""
