// Package stacks builds Kiln's stack images (a build image and run images)
// from pinned Debian packages, without Docker: `apt-get download` fetches the
// exact .deb versions in <stack>/packages.lock (SHA-256 checked), their data
// archives are merged into one layer with sorted entries and fixed timestamps,
// and go-containerregistry assembles Docker v2s2 images with the CNB stack
// labels and CNB_USER_ID/CNB_GROUP_ID. Same inputs, same digests.
//
// It owns the stack definition files under stacks/<name>/ and the .deb cache
// directory it is given; it never touches the host's dpkg database.
package stacks
