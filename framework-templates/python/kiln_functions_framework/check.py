"""Used by the Kiln Python function buildpack at build time: imports the
module like the server will and prints {"exports": [...]} as JSON.

    python3 -m kiln_functions_framework.check /workspace/main.py [PYCACHE_DIR]

With PYCACHE_DIR, every module now loaded (the function, its dependencies,
the framework, the standard library it uses) is byte-compiled there as
hash-based .pyc files, for PYTHONPYCACHEPREFIX at run time: the server then
starts without compiling anything, and the files do not depend on mtimes.
"""

import importlib.util
import json
import py_compile
import sys

import kiln_functions_framework._server  # noqa: F401  (what the server imports)
from kiln_functions_framework._loader import exported_functions, load_module

module = load_module(sys.argv[1])
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
print(json.dumps({"exports": exported_functions(module)}))
