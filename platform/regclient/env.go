package regclient

import (
	"fmt"
	"os"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
)

// InsecureEnv carries --insecure-registry from the kiln command to the
// sandbox helpers it starts (they inherit its environment and pull the
// builder and the app's image themselves): a comma-separated list of
// registries (host or host:port) spoken to over plain HTTP.
const InsecureEnv = "KILN_INSECURE_REGISTRIES"

// FromEnv is the default Target with the registries $KILN_INSECURE_REGISTRIES
// names as insecure, and the credentials $KILN_REGISTRY_AUTH holds before
// the Docker config's.
func FromEnv() Target {
	var t Target
	if auths := envAuths(); len(auths) > 0 {
		t.Keychain = authn.NewMultiKeychain(auths, Keychain())
	}
	for _, r := range strings.Split(os.Getenv(InsecureEnv), ",") {
		if r = strings.TrimSpace(r); r != "" {
			t.Insecure = append(t.Insecure, r)
		}
	}
	return t
}

// ExportInsecure adds registries (--insecure-registry values) to
// $KILN_INSECURE_REGISTRIES in this process's environment, where FromEnv
// here and in the sandbox helpers kiln starts finds them. A value with a
// scheme or a path is refused: a registry is host or host:port.
func ExportInsecure(registries []string) error {
	if len(registries) == 0 {
		return nil
	}
	have := FromEnv().Insecure
	for _, r := range registries {
		if strings.Contains(r, "://") || strings.Contains(strings.TrimSuffix(r, "/"), "/") || strings.Contains(r, ",") {
			return fmt.Errorf("--insecure-registry %q: name the registry as host or host:port (e.g. registry.lan:5000)", r)
		}
		have = append(have, strings.TrimSuffix(r, "/"))
	}
	return os.Setenv(InsecureEnv, strings.Join(have, ","))
}
