"""A function with a dependency from a package index (requirements.txt).

PyPI is not reachable on Kiln's test machines, so the e2e suite serves
samples/python/packages/kiln_greeting as a wheel from a local index:
  kiln build samples/python/dependency --target greet \
    --env PIP_INDEX_URL=http://127.0.0.1:PORT/simple/ --env PIP_TRUSTED_HOST=127.0.0.1
"""

from kiln_greeting import greet as greeting


def greet(request):
    return greeting(request.args.get("name", "friend")) + "\n"
