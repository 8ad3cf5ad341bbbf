class DomainError(Exception):
    """A rule the user broke, with a message fit to show them on the page.

    Every app's services raise a subclass; views catch it, show the message and
    change nothing (the service's transaction has rolled back).
    """

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
