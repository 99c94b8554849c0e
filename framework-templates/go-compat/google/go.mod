module github.com/GoogleCloudPlatform/functions-framework-go

go 1.21

require (
	github.com/cloudevents/sdk-go/v2 v2.14.0
	kiln.dev/functions-framework-go v0.1.0
)

require (
	github.com/json-iterator/go v1.1.10 // indirect
	github.com/modern-go/concurrent v0.0.0-20180228061459-e0a39a4cb421 // indirect
	github.com/modern-go/reflect2 v0.0.0-20180701023420-4b7aa43c6742 // indirect
)

// For developing this module in the Kiln tree. When kiln/go-function carries
// it into a build it rewrites these lines: the framework version it injects,
// the sdk-go version the function's own module requires, no replace.
replace kiln.dev/functions-framework-go => ../../go
