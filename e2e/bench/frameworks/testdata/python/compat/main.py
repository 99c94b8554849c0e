"""The hello function written as Google's functions_framework documents it
(served by Kiln's framework with KILN_FUNCTION_COMPAT=google)."""
import functions_framework


@functions_framework.http
def hello(request):
    return f"Hello, {request.args.get('name') or 'World'}!\n"
