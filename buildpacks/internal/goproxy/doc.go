// Package goproxy fetches Go toolchains and modules from a GOPROXY the way the
// go command does (the first usable entry of $GOPROXY) and verifies them
// against the checksum database, itself reached through the proxy
// ($GOPROXY/sumdb/<name>/...), so a mirror or air-gapped proxy suffices.
// It owns no files outside the directories callers give it.
package goproxy
