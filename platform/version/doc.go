// Package version says which Kiln this is: the release version stamped at
// link time (-ldflags "-X kiln.dev/kiln/platform/version.Version=1.2.3", as
// `make publish` does), else the module version Go recorded, else a
// development marker. It owns nothing else.
package version
