package events

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	daprv1alpha1 "github.com/dapr/dapr/pkg/apis/components/v1alpha1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"kiln.dev/kiln/controller/render"
)

// passwordField finds the passwords a testdata/in case sets; urlPassword
// those in a URL's user info (MQTT's only way to carry credentials).
var (
	passwordField = regexp.MustCompile(`(?m)^\s*(redisPassword|saslPassword):\s*(\S+)\s*$`)
	urlPassword   = regexp.MustCompile(`(?m)^\s*(url):\s*\w+://[^:/@\s]+:([^@\s]+)@\S*\s*$`)
)

// TestNoPasswordInComponents: for every testdata/in case, no password of
// the bus or the sources appears anywhere in the handler Function or the
// objects rendered from it (Dapr Components included): each Component
// setting named *password* is a secretKeyRef to the handler's Secret, which
// holds the password under that key.
func TestNoPasswordInComponents(t *testing.T) {
	ins, _ := filepath.Glob("testdata/in/*.yaml")
	cases := 0
	for _, in := range ins {
		b, err := os.ReadFile(in)
		if err != nil {
			t.Fatal(err)
		}
		var passwords []string
		for _, m := range append(passwordField.FindAllStringSubmatch(string(b), -1), urlPassword.FindAllStringSubmatch(string(b), -1)...) {
			passwords = append(passwords, m[2])
		}
		if len(passwords) == 0 {
			continue
		}
		cases++
		t.Run(filepath.Base(in), func(t *testing.T) {
			var c input
			if err := yaml.UnmarshalStrict(b, &c); err != nil {
				t.Fatal(err)
			}
			h, err := c.render()
			if err != nil {
				t.Fatal(err)
			}
			if h.Secret == nil {
				t.Fatal("no Secret rendered for a case with passwords")
			}
			f := h.Function
			f.Default()
			objs, err := render.All(f, render.DefaultConfig(), "")
			if err != nil {
				t.Fatal(err)
			}
			out, err := render.YAML(append([]client.Object{f}, objs...))
			if err != nil {
				t.Fatal(err)
			}
			for _, pw := range passwords {
				if strings.Contains(string(out), pw) {
					t.Errorf("password %q appears in the rendered Function or its objects", pw)
				}
			}
			var held strings.Builder
			for _, v := range h.Secret.Data {
				held.Write(v)
				held.WriteByte(0)
			}
			for _, pw := range passwords { // a bare password, or inside a URL
				if !strings.Contains(held.String(), pw) {
					t.Errorf("password %q is not in Secret %s", pw, h.Secret.Name)
				}
			}
			refs := 0
			for _, o := range objs {
				comp, ok := o.(*daprv1alpha1.Component)
				if !ok {
					continue
				}
				for _, m := range comp.Spec.Metadata {
					if !strings.Contains(strings.ToLower(m.Name), "password") && !(m.Name == "url" && m.SecretKeyRef.Name != "") {
						continue
					}
					refs++
					ref := m.SecretKeyRef
					if len(m.Value.Raw) > 0 || ref.Name != h.Secret.Name || h.Secret.Data[ref.Key] == nil {
						t.Errorf("Component %s: %s = value %s, secretKeyRef %+v; want only a secretKeyRef to a key of Secret %s",
							comp.Name, m.Name, m.Value.Raw, ref, h.Secret.Name)
					}
				}
			}
			if refs != len(passwords) {
				t.Errorf("%d password settings in the Components, want %d (one per password)", refs, len(passwords))
			}
		})
	}
	if cases < 3 || !strings.Contains(fmt.Sprint(urlPassword.FindAllString(allInputs(t), -1)), "@") {
		t.Errorf("%d testdata/in cases set passwords, want the bus (Redis, Kafka) and source ones covered", cases)
	}
}

// allInputs is every testdata/in case, one text.
func allInputs(t *testing.T) string {
	ins, _ := filepath.Glob("testdata/in/*.yaml")
	var all strings.Builder
	for _, in := range ins {
		b, err := os.ReadFile(in)
		if err != nil {
			t.Fatal(err)
		}
		all.Write(b)
	}
	return all.String()
}
