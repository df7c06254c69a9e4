"""The one error the DSL raises: a request it cannot answer, with a message saying why."""


class DslError(ValueError):
    """A request the DSL cannot answer, with a message saying why."""
