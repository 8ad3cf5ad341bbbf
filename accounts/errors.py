from common.errors import DomainError


class AccountError(DomainError):
    pass
