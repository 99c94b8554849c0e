package reconciler

import (
	"flag"
	"fmt"
	"os"
	"sort"
	"sync"
	"testing"

	"kiln.dev/kiln/controller/api/v1alpha1"
)

// observed is every (resource, verb) the reconciler used across the tests.
var observed = &uses{m: map[string]bool{}}

type uses struct {
	mu sync.Mutex
	m  map[string]bool
}

func (u *uses) add(role, group, resource, verb string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.m[use(role, group, resource, verb)] = true
}

func use(role, group, resource, verb string) string {
	return role + ": " + groupResource(group, resource) + ":" + verb
}

// unused lists what Permissions declares and no test saw the controller do.
func (u *uses) unused() []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	var out []string
	for _, p := range Permissions {
		for _, v := range p.Verbs {
			if k := use(p.Role, p.Group, p.Resource, v); !u.m[k] {
				out = append(out, k)
			}
		}
	}
	sort.Strings(out)
	return out
}

// TestMain checks, after a full run, that every declared permission was
// used by some test (the informers SetupWithManager starts count as list
// and watch): a grant nothing uses fails, as a call nothing declares fails
// the test that made it.
func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if code == 0 && flag.Lookup("test.run").Value.String() == "" && flag.Lookup("test.skip").Value.String() == "" {
		informers(observed)
		if unused := observed.unused(); len(unused) > 0 {
			fmt.Printf("Permissions (permissions.go) declares what no test saw the reconciler do: %v\n"+
				"drop them (and from controller/config/rbac/role.yaml), or add the table row that uses them\n", unused)
			code = 1
		}
	}
	os.Exit(code)
}

// informers records the list and watch of the informers SetupWithManager
// starts: Functions and every owned kind.
func informers(u *uses) {
	scheme, err := Scheme()
	if err != nil {
		panic(err)
	}
	rec := &recorder{t: &testing.T{}, scheme: scheme}
	for _, o := range append(ownedKinds(), &v1alpha1.Function{}) {
		g, res := rec.resource(o)
		u.add(RoleController, g, res, "list")
		u.add(RoleController, g, res, "watch")
	}
}
