class DomainError(Exception):
    """A rule the user broke, with a message fit to show them on the page.

    Every app's services raise a subclass; views catch it, show the message and
    change nothing (the service's transaction has rolled back).
    """

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class LinkExpired(DomainError):
    """An emailed link whose time has passed: what it was for is over (the session started, the
    questionnaire closed, the hold on a place ran out). The page says what happened and what to do
    instead, so nobody is left with a bare error.

    `what_to_do` is a sentence; `next_url` and `next_label`, if given, are a link to do it with.
    """

    def __init__(self, message: str, *, what_to_do: str, next_url: str = "", next_label: str = ""):
        super().__init__(message)
        self.what_to_do = what_to_do
        self.next_url = next_url
        self.next_label = next_label
