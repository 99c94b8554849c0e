"""Used by the Kiln Python function buildpack at build time: imports the
module like the server will and prints {"exports": [...], "registered":
{name: signature}} as JSON (registered: the functions_framework decorators'
registrations, under KILN_FUNCTION_COMPAT).

    python3 -m kiln_functions_framework.check /workspace/main.py [PYCACHE_DIR]

With PYCACHE_DIR, every module now loaded (the function, its dependencies,
the framework, the standard library it uses) is byte-compiled there as
hash-based .pyc files, for PYTHONPYCACHEPREFIX at run time: the server then
starts without compiling anything, and the files do not depend on mtimes.
"""

import importlib.util
import json
import os
import py_compile
import sys

import kiln_functions_framework._server  # noqa: F401  (what the server imports)
from kiln_functions_framework._loader import exported_functions, load_module

registered = {}
kinds = []
if os.environ.get("KILN_FUNCTION_COMPAT"):
    from kiln_functions_framework import _compat, _registry

    kinds = _compat.parse_kinds(os.environ["KILN_FUNCTION_COMPAT"])
    _compat.enable(kinds)
    import kiln_functions_framework._flask  # noqa: F401  (what the compatibility server imports)
    import kiln_functions_framework._ofn  # noqa: F401

module = load_module(sys.argv[1])
if kinds:
    registered = dict(_registry.SIGNATURES)
    for name in exported_functions(module):
        if "openfunction" in kinds and name not in registered and _compat.is_ofn_style(getattr(module, name)):
            registered[name] = "openfunction"
if len(sys.argv) > 2:
    sys.pycache_prefix = sys.argv[2]
    for m in list(sys.modules.values()):
        src = getattr(m, "__file__", None)
        if src and src.endswith(".py"):
            try:
                py_compile.compile(src, cfile=importlib.util.cache_from_source(src), doraise=True,
                                   invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
            except (OSError, py_compile.PyCompileError):
                pass
print(json.dumps({"exports": exported_functions(module), "registered": registered}))
