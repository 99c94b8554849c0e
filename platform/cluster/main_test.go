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

// Once the traefik addon picked its port, env exports the ingress.
func TestEnvExportsIngress(t *testing.T) {
	l := Layout{Dir: t.TempDir(), Tools: "/t"}
	o := Options{Layout: l}
	if strings.Contains(Env(o), "KILN_INGRESS") {
		t.Fatalf("Env exports an ingress before one was installed:\n%s", Env(o))
	}
	if err := saveState(l, &state{IngressPort: 4321}); err != nil {
		t.Fatal(err)
	}
	if got := Env(o); !strings.HasSuffix(got, "export KILN_INGRESS='http://127.0.0.1:4321'\n") {
		t.Errorf("Env = %q, want KILN_INGRESS last", got)
	}
}

func TestMainRejectsUnknown(t *testing.T) {
	for _, args := range [][]string{nil, {"sideways"}, {"up", "extra"}, {"up", "--with"}, {"up", "--with=kourier"}, {"down", "--with=tekton"}} {
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

// Once addons started the node registry, env exports it as KILN_REGISTRY
// (kiln deploy's registry).
func TestEnvExportsNodeRegistry(t *testing.T) {
	l := Layout{Dir: t.TempDir(), Tools: "/t"}
	o := Options{Layout: l}
	if strings.Contains(Env(o), "KILN_REGISTRY") {
		t.Fatalf("Env exports a registry before the node registry started:\n%s", Env(o))
	}
	if err := saveState(l, &state{NodeRegistryPort: 5123}); err != nil {
		t.Fatal(err)
	}
	if got := Env(o); !strings.HasSuffix(got, "export KILN_REGISTRY='"+NodeIP+":5123'\n") {
		t.Errorf("Env = %q, want KILN_REGISTRY=%s:5123 last", got, NodeIP)
	}
}
