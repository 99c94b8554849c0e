// Package fsutil copies source trees into build workspaces and hands them to
// the CNB user. It only writes below the destinations it is given.
package fsutil
