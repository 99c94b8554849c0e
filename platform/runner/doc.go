// Package runner is `kiln run`: it pulls and flattens an app image (cached by
// digest), then runs its entrypoint (the CNB launcher, /cnb/process/web) in a
// sandbox as the image's user, on the host network with PORT set, until the
// context is cancelled (Ctrl-C / SIGTERM), then stops it and every child.
package runner
