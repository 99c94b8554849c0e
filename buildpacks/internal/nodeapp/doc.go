// Package nodeapp reads what Kiln's Node buildpacks need from an app
// directory: package.json (name, main, type, engines, dependencies) and its
// lockfile. It only reads.
package nodeapp
