// Package e2e holds Kiln's integration suites, written with
// sigs.k8s.io/e2e-framework features and assessments:
//
//	local/        tier 1: stack, builder and samples built with `kiln build`,
//	              run with `kiln run`, invoked over HTTP and CloudEvents
//	conformance/  the functions-framework conformance harness, run against the
//	              framework in-process and against kiln-built images
//	kiln/         a driver for the kiln binary the suites use
//	bench/        target measurements (make bench), not timed tests
package e2e
