//go:build tools

// Package tools pins actionlint, the GitHub Actions workflow linter the test
// suite runs over .github/workflows; see platform/tools/build.sh actionlint.
package tools

import _ "github.com/rhysd/actionlint/cmd/actionlint"
