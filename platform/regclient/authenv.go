package regclient

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
)

// AuthEnv carries credentials from the kiln command to the sandbox helpers
// it starts: they run as the sandbox's ids, which may not read the Docker
// config (root's ~/.docker, a 0700 $DOCKER_CONFIG) or run its credential
// helpers. kiln resolves the registries it needs first (ExportAuth) and
// the helpers inherit the variable; sandboxed processes never see it (their
// environment is the image's, built explicitly).
const AuthEnv = "KILN_REGISTRY_AUTH"

// ExportAuth resolves, with the Docker config's keychain, credentials for
// the registries of refs and puts them in $KILN_REGISTRY_AUTH (JSON:
// registry → auth config). Registries the keychain has nothing for are
// left out; a keychain or credential-helper failure is an error naming the
// registry.
func ExportAuth(refs ...string) error {
	auths := envAuths()
	for _, r := range refs {
		ref, err := name.ParseReference(r)
		if err != nil {
			return fmt.Errorf("image reference %q: %w", r, err)
		}
		reg := ref.Context().Registry
		a, err := Keychain().Resolve(reg)
		if err != nil {
			return fmt.Errorf("credentials for %s: %w (check your Docker config and credential helpers)", reg.RegistryStr(), err)
		}
		if a == authn.Anonymous {
			continue
		}
		cfg, err := a.Authorization()
		if err != nil {
			return fmt.Errorf("credentials for %s: %w", reg.RegistryStr(), err)
		}
		auths[reg.RegistryStr()] = *cfg
	}
	if len(auths) == 0 {
		return nil
	}
	b, err := json.Marshal(auths)
	if err != nil {
		return err
	}
	return os.Setenv(AuthEnv, string(b))
}

// envAuths reads $KILN_REGISTRY_AUTH; unset or unreadable is none.
func envAuths() envKeychain {
	auths := envKeychain{}
	if v := os.Getenv(AuthEnv); v != "" {
		if err := json.Unmarshal([]byte(v), &auths); err != nil {
			return envKeychain{}
		}
	}
	return auths
}

// envKeychain answers from $KILN_REGISTRY_AUTH.
type envKeychain map[string]authn.AuthConfig

func (k envKeychain) Resolve(r authn.Resource) (authn.Authenticator, error) {
	if c, ok := k[r.RegistryStr()]; ok {
		return authn.FromConfig(c), nil
	}
	return authn.Anonymous, nil
}
