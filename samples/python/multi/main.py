"""Several functions in one main.py; FUNC_NAME (kiln build --target) picks one."""


def hello(request):
    return "hello from multi\n"


def goodbye(request):
    return "goodbye from multi\n"


def echo(request):
    return {"you_sent": request.json}, 200
