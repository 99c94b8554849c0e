package cluster

import (
	"testing"
)

func TestUnescapeMount(t *testing.T) {
	for in, want := range map[string]string{
		`/a/b`:             "/a/b",
		`/a\040b`:          "/a b",
		`/x\011y\134z`:     "/x\ty\\z",
		`/trailing\04`:     `/trailing\04`,
		`/not\999octal`:    `/not\999octal`,
		`/run/netns/cni-1`: "/run/netns/cni-1",
	} {
		if got := unescapeMount(in); got != want {
			t.Errorf("unescapeMount(%q) = %q, want %q", in, got, want)
		}
	}
}
