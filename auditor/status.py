"""Exit statuses of the ``auditor`` command: the promise a CI job relies on."""

from enum import IntEnum


class ExitStatus(IntEnum):
    OK = 0  # the command completed (an audit that found defects still completed)
    ERROR = 1  # an unexpected failure: a crawl that could not run, a bug
    BAD_INPUT = 2  # a person's input is wrong: message names the file, line and field
    GATE = 3  # the audit completed and found what --fail-on names (new critical findings, say)
    INTERRUPTED = 130  # Ctrl-C / SIGTERM: stopped cleanly, rerun to resume
