package cluster

import (
	"strings"
	"testing"
)

func TestEnvQuotes(t *testing.T) {
	o := Options{Layout: Layout{Dir: "/h/it's", Tools: "/t"}}
	got := Env(o)
	want := "export KUBECONFIG='/h/it'\\''s/kubeconfig'\nexport PATH='/t/kube-node-v" + kubeVersion + "':\"$PATH\"\n"
	if got != want {
		t.Errorf("Env = %q, want %q", got, want)
	}
}

func TestMainRejectsUnknown(t *testing.T) {
	for _, args := range [][]string{nil, {"sideways"}, {"up", "extra"}, {"up", "--with"}, {"up", "--with=knative"}, {"down", "--with=tekton"}} {
		var out, errb strings.Builder
		err := Main(args, &out, &errb)
		if err == nil {
			t.Errorf("Main(%q) = nil", args)
			continue
		}
		// Each refusal says what is wrong: usage on stderr, or an error
		// naming the argument.
		if !strings.Contains(errb.String(), "usage: kiln cluster") && !strings.Contains(err.Error(), "--with") {
			t.Errorf("Main(%q): %v, stderr %q: no usage on stderr and no error naming --with", args, err, errb.String())
		}
	}
}
