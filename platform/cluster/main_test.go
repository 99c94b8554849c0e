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
	var out, errb strings.Builder
	for _, args := range [][]string{nil, {"sideways"}, {"up", "extra"}, {"up", "--with"}, {"up", "--with=knative"}, {"down", "--with=tekton"}} {
		if err := Main(args, &out, &errb); err == nil {
			t.Errorf("Main(%q) = nil", args)
		}
	}
	if !strings.Contains(errb.String(), "usage: kiln cluster") {
		t.Errorf("no usage on stderr: %q", errb.String())
	}
}
