package kube

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"
)

// controllerUser is who the controller runs as: the ServiceAccount
// controller/config binds the kiln-controller roles to. The suite
// impersonates it, so the controller has exactly what
// controller/config/rbac grants and a missing verb fails the suite.
const controllerUser = "system:serviceaccount:kiln:kiln-controller"

// rbacManifests are the files that give the controller its permissions.
var rbacManifests = []string{"service_account.yaml", "role.yaml", "role_binding.yaml", "events_role.yaml", "leader_election.yaml"}

// installRBAC applies controller/config/rbac through c (the namespace kiln
// must exist): the ClusterRoles, bound cluster-wide, and the Gateway config
// reader bound in kiln.
func installRBAC(ctx context.Context, c client.Client) error {
	for _, name := range rbacManifests {
		p := filepath.Join(repo, "controller", "config", "rbac", name)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, doc := range bytes.Split(b, []byte("\n---")) {
			if len(bytes.TrimSpace(doc)) == 0 {
				continue
			}
			var u unstructured.Unstructured
			if err := yaml.Unmarshal(doc, &u.Object); err != nil {
				return fmt.Errorf("%s: %w", p, err)
			}
			if err := c.Apply(ctx, client.ApplyConfigurationFromUnstructured(&u), client.FieldOwner("kiln-e2e"), client.ForceOwnership); err != nil {
				return fmt.Errorf("%s: applying %s %s: %w", p, u.GetKind(), u.GetName(), err)
			}
		}
	}
	return nil
}

// forbidden collects every request the API server refused the controller,
// but those a test provokes on purpose (expected).
var forbidden = struct {
	sync.Mutex
	reqs     map[string]bool
	expected []string
}{reqs: map[string]bool{}}

// expectForbidden declares that requests to paths starting with prefix are
// refused on purpose.
func expectForbidden(prefix string) {
	forbidden.Lock()
	defer forbidden.Unlock()
	forbidden.expected = append(forbidden.expected, prefix)
}

// asController is admin as the controller's ServiceAccount, with every 403
// it gets recorded.
func asController(admin *rest.Config) *rest.Config {
	cfg := rest.CopyConfig(admin)
	cfg.Impersonate = rest.ImpersonationConfig{UserName: controllerUser}
	cfg.WrapTransport = func(rt http.RoundTripper) http.RoundTripper { return forbiddenRecorder{rt} }
	return cfg
}

type forbiddenRecorder struct{ next http.RoundTripper }

func (f forbiddenRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := f.next.RoundTrip(req)
	if err == nil && resp.StatusCode == http.StatusForbidden {
		forbidden.Lock()
		forbidden.reqs[req.Method+" "+req.URL.Path+"?"+req.URL.RawQuery] = true
		forbidden.Unlock()
	}
	return resp, err
}

// forbiddenRequests lists what the controller was refused, sorted.
func forbiddenRequests() []string {
	forbidden.Lock()
	defer forbidden.Unlock()
	var out []string
	for r := range forbidden.reqs {
		if !slices.ContainsFunc(forbidden.expected, func(prefix string) bool { return strings.HasPrefix(strings.Fields(r)[1], prefix) }) {
			out = append(out, r)
		}
	}
	sort.Strings(out)
	return out
}
