"""Kiln's hello-world Python HTTP function: kiln build samples/python/hello --target hello"""


def hello(request):
    return f"Hello, {request.args.get('name', 'World')}!\n"
