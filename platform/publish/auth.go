package publish

import (
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"

	"kiln.dev/kiln/platform/regclient"
)

// Keychain finds registry credentials like docker, crane, pack and the
// lifecycle do: $DOCKER_CONFIG/config.json (default ~/.docker/config.json),
// its "auths", "credsStore" and "credHelpers" (docker-credential-* helpers
// on PATH), and podman's auth.json ($REGISTRY_AUTH_FILE).
func Keychain() authn.Keychain { return regclient.Keychain() }

// Target is how kiln reaches registries (platform/regclient owns it).
type Target = regclient.Target

// RegistryAuth renders CNB_REGISTRY_AUTH, the lifecycle's credential
// variable, for the registries of refs: a JSON object from registry host to
// an Authorization header value ("Basic <base64 user:pass>", "Bearer
// <token>"; "X-Identity <token>" for an identity token, as the lifecycle
// reads it back). Registries the keychain has nothing for are left out; it
// returns "{}" when none has credentials. A keychain or helper failure is an
// error naming the registry: a build must not silently go anonymous.
func RegistryAuth(kc authn.Keychain, refs ...string) (string, error) {
	headers := map[string]string{}
	for _, r := range refs {
		ref, err := name.ParseReference(r, name.WeakValidation)
		if err != nil {
			return "", fmt.Errorf("CNB_REGISTRY_AUTH: image reference %q: %w", r, err)
		}
		reg := ref.Context().Registry
		if _, done := headers[reg.Name()]; done {
			continue
		}
		a, err := kc.Resolve(reg)
		if err != nil {
			return "", fmt.Errorf("CNB_REGISTRY_AUTH: credentials for %s: %w (check your Docker config and credential helpers)", reg.Name(), err)
		}
		if a == authn.Anonymous {
			continue
		}
		cfg, err := a.Authorization()
		if err != nil {
			return "", fmt.Errorf("CNB_REGISTRY_AUTH: credentials for %s: %w", reg.Name(), err)
		}
		h, ok := authHeader(cfg)
		if !ok {
			continue
		}
		headers[reg.Name()] = h
	}
	b, err := json.Marshal(headers) // keys sorted: stable output
	return string(b), err
}

// authHeader turns one registry's credentials into the header value the
// lifecycle expects; ok is false for an empty config.
func authHeader(c *authn.AuthConfig) (string, bool) {
	switch {
	case c.Auth != "":
		return "Basic " + c.Auth, true
	case c.RegistryToken != "":
		return "Bearer " + c.RegistryToken, true
	case c.Username != "" || c.Password != "":
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(c.Username+":"+c.Password)), true
	case c.IdentityToken != "":
		return "X-Identity " + c.IdentityToken, true
	}
	return "", false
}
