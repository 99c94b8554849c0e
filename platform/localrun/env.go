package localrun

import (
	"strings"

	"kiln.dev/kiln/platform/envfile"
)

// MergeEnv is the function's env: the env files' variables in order, then
// flags (K=V), one entry per variable, the last one winning and keeping its
// place (glibc's getenv would take the first of two).
func MergeEnv(files [][]envfile.Var, flags []string) []string {
	var kv []string
	for _, vars := range files {
		for _, v := range vars {
			kv = append(kv, v.Name+"="+v.Value)
		}
	}
	kv = append(kv, flags...)
	last := map[string]int{}
	for i, e := range kv {
		k, _, _ := strings.Cut(e, "=")
		last[k] = i
	}
	var out []string
	for i, e := range kv {
		if k, _, _ := strings.Cut(e, "="); last[k] == i {
			out = append(out, e)
		}
	}
	return out
}

// lookup is the value of k in a K=V list (the last one), if set.
func lookup(kv []string, k string) (string, bool) {
	v, ok := "", false
	for _, e := range kv {
		if ek, ev, _ := strings.Cut(e, "="); ek == k {
			v, ok = ev, true
		}
	}
	return v, ok
}
