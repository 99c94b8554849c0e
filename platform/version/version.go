package version

import "runtime/debug"

// Version is set at link time for releases.
var Version = ""

// Dev is the version of a build nobody stamped.
const Dev = "0.0.0-dev"

// String is the version of this kiln binary.
func String() string {
	if Version != "" {
		return Version
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return Dev
}
