// Package nodeapp reads what Kiln's Node buildpacks need from an app
// directory: package.json (name, main, type, engines, dependencies) and its
// lockfile, and which functions frameworks Kiln stands in for
// (@google-cloud/functions-framework, @openfunction/functions-framework) the
// app depends on or imports, with BP_FUNCTION_FRAMEWORK saying whether Kiln's
// compatibility layer or the app's own framework serves them. It only reads;
// WithoutDependencies renders a package.json for npm without those packages.
package nodeapp
