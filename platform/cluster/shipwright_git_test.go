package cluster

import (
	"slices"
	"strings"
	"testing"

	shpconfig "github.com/shipwright-io/build/pkg/config"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// shipwrightController is the shape of Shipwright v0.17.0's
// deploy/500-controller.yaml after ko resolved it (env shortened).
const shipwrightController = `apiVersion: v1
kind: Namespace
metadata:
  name: shipwright-build
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: shipwright-build-controller
  namespace: shipwright-build
spec:
  template:
    spec:
      containers:
      - name: shipwright-build
        image: 127.0.0.1:5000/kiln/cluster/shipwright/shipwright-build-controller@sha256:c
        env:
        - name: GIT_CONTAINER_IMAGE
          value: 127.0.0.1:5000/kiln/cluster/shipwright/git@sha256:g
        - name: GIT_ENABLE_REWRITE_RULE
          value: "false"
`

// The controller, reading its env as Shipwright does, runs the git step
// as Kiln's template says: skipping the ssh/git-lfs check, HOME writable,
// uid 1000 without privileges, on the image ko built.
func TestWithGitStepTemplate(t *testing.T) {
	out, err := withGitStepTemplate([]byte(shipwrightController))
	if err != nil {
		t.Fatal(err)
	}
	// Applied twice (a reinstall), the variable is there once.
	if out, err = withGitStepTemplate(out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "kind: Namespace") {
		t.Errorf("the other documents were dropped:\n%s", out)
	}
	env := controllerEnv(t, out)
	if n := strings.Count(string(out), "GIT_CONTAINER_TEMPLATE"); n != 1 {
		t.Errorf("GIT_CONTAINER_TEMPLATE %d times, want once:\n%s", n, out)
	}
	for k, v := range env {
		t.Setenv(k, v)
	}
	cfg := shpconfig.NewDefaultConfig()
	if err := cfg.SetConfigFromEnv(); err != nil {
		t.Fatalf("Shipwright refuses the template: %v", err)
	}
	g := cfg.GitContainerTemplate
	if g.Image != "127.0.0.1:5000/kiln/cluster/shipwright/git@sha256:g" {
		t.Errorf("image %q, want GIT_CONTAINER_IMAGE's", g.Image)
	}
	if !slices.Equal(g.Command, []string{"/ko-app/git", "--skip-validation"}) {
		t.Errorf("command %q", g.Command)
	}
	home := ""
	for _, e := range g.Env {
		if e.Name == "HOME" {
			home = e.Value
		}
	}
	if home != "/tmp" {
		t.Errorf("HOME %q, want /tmp (the git image has no /shared-home)", home)
	}
	sc := g.SecurityContext
	if sc == nil || sc.RunAsUser == nil || *sc.RunAsUser != 1000 || sc.RunAsGroup == nil || *sc.RunAsGroup != 1000 ||
		sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation || sc.Capabilities == nil || !slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) {
		t.Errorf("security context %+v, want uid/gid 1000, no escalation, capabilities dropped", sc)
	}

	if _, err := withGitStepTemplate([]byte(strings.Replace(shipwrightController, "name: shipwright-build\n        image", "name: other\n        image", 1))); err == nil ||
		!strings.Contains(err.Error(), "no container named shipwright-build") {
		t.Errorf("a controller without its container: %v", err)
	}
	if _, err := withGitStepTemplate([]byte("apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n")); err == nil ||
		!strings.Contains(err.Error(), "shipwright addon") || !strings.Contains(err.Error(), "Deployment shipwright-build-controller") {
		t.Errorf("no controller: %v", err)
	}
}

// controllerEnv is the shipwright-build container's env of the stream's
// Deployment.
func controllerEnv(t *testing.T, stream []byte) map[string]string {
	t.Helper()
	env := map[string]string{}
	for _, doc := range yamlDocSep.Split(string(stream), -1) {
		var d struct {
			Kind string
			Spec struct {
				Template struct {
					Spec struct {
						Containers []struct {
							Name string
							Env  []struct{ Name, Value string }
						}
					}
				}
			}
		}
		if err := yaml.Unmarshal([]byte(doc), &d); err != nil {
			t.Fatal(err)
		}
		for _, c := range d.Spec.Template.Spec.Containers {
			for _, e := range c.Env {
				env[e.Name] = e.Value
			}
		}
	}
	return env
}
