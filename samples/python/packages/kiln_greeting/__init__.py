"""kiln-greeting 1.0.0: a tiny package the e2e suite publishes to its local index."""


def greet(name):
    return f"Greetings, {name}."
