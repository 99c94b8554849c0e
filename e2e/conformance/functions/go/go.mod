module kiln.dev/conformance-functions

go 1.21
