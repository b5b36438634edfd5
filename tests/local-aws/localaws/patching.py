"""How the AWS rules are put into moto: as methods of moto's own classes."""

from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


def extend(cls: type) -> Callable[[F], F]:
    """Install the decorated function as `cls.<its name>`, adding a method
    moto lacks or replacing moto's. Importing a module applies its patches."""

    def install(function: F) -> F:
        setattr(cls, function.__name__, function)
        return function

    return install
