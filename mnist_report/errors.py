"""The one exception the command line turns into a one-line message and exit status 2."""


class ReportError(Exception):
    """A problem the user can fix (bad input, unusable output folder, failed download).

    The message is shown as it is, on one line, so it must name the file or
    place concerned and what is wrong with it.
    """
