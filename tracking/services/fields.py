"""What an update service may change on a row."""


def assign(instance, fields: dict, allowed) -> None:
    """Set on `instance` the `fields` among `allowed`; any other key is left out."""
    for name, value in fields.items():
        if name in allowed:
            setattr(instance, name, value)
