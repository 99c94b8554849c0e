package kube

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/e2e-framework/pkg/envconf"
	"sigs.k8s.io/e2e-framework/pkg/features"
	"sigs.k8s.io/yaml"
)

// TestConfigApplies creates everything in controller/config (the CRD is
// installed by the suite already) and the samples on the real API server:
// the ClusterBuildStrategy against Shipwright's CRD, RBAC, the manager
// Deployment, the Gateway config, a sample Function.
func TestConfigApplies(t *testing.T) {
	f := features.New("controller/config and samples are accepted by the API server").
		Assess("every manifest creates", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			var files []string
			filepath.Walk(filepath.Join(repo, "controller", "config"), func(p string, info os.FileInfo, err error) error {
				if err == nil && !info.IsDir() && strings.HasSuffix(p, ".yaml") && filepath.Base(p) != "kustomization.yaml" &&
					!strings.Contains(p, string(filepath.Separator)+"crd"+string(filepath.Separator)) {
					files = append(files, p)
				}
				return nil
			})
			if len(files) < 8 {
				t.Fatalf("only %d manifests in controller/config", len(files))
			}
			for _, p := range files {
				b, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				for _, doc := range bytes.Split(b, []byte("\n---")) {
					if len(bytes.TrimSpace(doc)) == 0 {
						continue
					}
					var u unstructured.Unstructured
					if err := yaml.Unmarshal(doc, &u.Object); err != nil {
						t.Fatalf("%s: %v", p, err)
					}
					if u.GetNamespace() == "" && u.GetKind() == "Function" {
						u.SetNamespace("default")
					}
					if err := cl.Create(ctx, &u); err != nil && !apierrors.IsAlreadyExists(err) {
						t.Errorf("%s: %s %s rejected: %v", filepath.Base(p), u.GetKind(), u.GetName(), err)
					}
				}
			}
			return ctx
		}).Feature()
	testenv.Test(t, f)
}
