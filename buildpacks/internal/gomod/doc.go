// Package gomod reads what Kiln's Go buildpacks need from a user's go.mod
// (module path, go and toolchain directives, requirements) and makes the one
// edit they are allowed to make: adding a require line. It never touches
// other directives, so replace and exclude stay as the user wrote them.
package gomod
