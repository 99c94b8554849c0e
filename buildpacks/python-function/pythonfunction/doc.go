// Package pythonfunction is the kiln/python-function buildpack. With FUNC_NAME
// set (a Python identifier) it takes main.py (or FUNC_SRC), checks
// requirements.txt, every file it includes with -r/-c, and pip.conf before
// pip runs (each mistake named with its file and line), byte-compiles the app
// with hash-based .pyc files (`python3 -m compileall`, reproducible), installs
// requirements.txt with pip (`pip install --target`, honouring PIP_INDEX_URL,
// PIP_TRUSTED_HOST and the app's pip.conf) into the launch+cache layer
// "packages" keyed by the requirements files and pip.conf and the Python
// version, imports the module to check that FUNC_NAME is a function (listing
// them when it is not), and serves it with Kiln's framework. pip itself lives
// in a build-only cached venv, so images carry no pip. The interpreter is the
// stack's (Debian python3.11, same in the build and run-python images; the
// stack SBOM lists it with its .deb's SHA-256). The launch layer "framework"
// holds the framework copy (and kiln_compat); its SBOM gives each with the
// carried version and the h1 of its files.
//
// A function written for Google's functions_framework or OpenFunction's
// (requirements.txt names functions-framework or ofn-functions-framework, or
// a .py file imports functions_framework) is served on Kiln's framework with
// its compatibility layer (compat.go): pip gets the requirements without
// those lines (commented out, so line numbers hold; no pip at all when
// nothing else remains), the framework layer also carries the stand-in
// modules (kiln_compat), the launch env KILN_FUNCTION_COMPAT names the layer,
// and a decorator's registration sets the signature. With
// BP_FUNCTION_FRAMEWORK=native pip installs the framework and
// `python3 -m functions_framework` is the web process instead (native.go).
package pythonfunction
