module example.com/declarative

go 1.26

require kiln.dev/functions-framework-go v0.1.0
