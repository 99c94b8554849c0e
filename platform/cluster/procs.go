package cluster

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
)

// processesMatching lists the pids whose command line contains every one
// of the needles (the node's shims carry the node's containerd socket).
func processesMatching(needles ...string) []int {
	ents, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil {
			continue
		}
		ok := len(b) > 0
		for _, n := range needles {
			ok = ok && bytes.Contains(b, []byte(n))
		}
		if ok {
			out = append(out, pid)
		}
	}
	return out
}
