module kiln.dev/functions-framework-go

go 1.21
