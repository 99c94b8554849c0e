"""The hello function for Kiln's Python framework (FUNCTION_TARGET=hello)."""


def hello(request):
    return f"Hello, {request.args.get('name') or 'World'}!\n"
