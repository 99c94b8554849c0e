package publish

import (
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
)

// mapKeychain answers from a map of registry → config; "fail" errors.
type mapKeychain map[string]*authn.AuthConfig

func (m mapKeychain) Resolve(r authn.Resource) (authn.Authenticator, error) {
	if r.RegistryStr() == "fail.example" {
		return nil, errors.New("helper crashed")
	}
	if c, ok := m[r.RegistryStr()]; ok {
		return authn.FromConfig(*c), nil
	}
	return authn.Anonymous, nil
}

func TestRegistryAuth(t *testing.T) {
	kc := mapKeychain{
		"basic.example":    {Username: "u", Password: "p:w"},
		"auth.example":     {Auth: "dTpw"},
		"token.example":    {RegistryToken: "tok"},
		"identity.example": {IdentityToken: "idt"},
		"index.docker.io":  {Username: "hub", Password: "x"},
	}
	for _, tc := range []struct {
		name string
		refs []string
		want string
		err  string
	}{
		{"basic from user and password", []string{"basic.example/a/b:1"}, `{"basic.example":"Basic ` + base64.StdEncoding.EncodeToString([]byte("u:p:w")) + `"}`, ""},
		{"auth field as is", []string{"auth.example/x"}, `{"auth.example":"Basic dTpw"}`, ""},
		{"bearer", []string{"token.example/x@sha256:" + strings.Repeat("0", 64)}, `{"token.example":"Bearer tok"}`, ""},
		{"identity token", []string{"identity.example/x"}, `{"identity.example":"X-Identity idt"}`, ""},
		{"anonymous left out", []string{"127.0.0.1:5000/app", "basic.example/a"}, `{"basic.example":"Basic dTpwOnc="}`, ""},
		{"docker hub short names", []string{"library/alpine"}, `{"index.docker.io":"Basic aHViOng="}`, ""},
		{"none", []string{"127.0.0.1:5000/app"}, `{}`, ""},
		{"one entry per registry", []string{"auth.example/a", "auth.example/b"}, `{"auth.example":"Basic dTpw"}`, ""},
		{"helper failure named", []string{"fail.example/a"}, "", "credentials for fail.example: helper crashed"},
		{"bad reference", []string{"UPPER/Case::"}, "", `image reference "UPPER/Case::"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := RegistryAuth(kc, tc.refs...)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
		})
	}
}

// The default keychain reads $DOCKER_CONFIG/config.json, like docker and pack.
func TestKeychainReadsDockerConfig(t *testing.T) {
	dir := t.TempDir()
	cfg := `{"auths":{"reg.example:5443":{"auth":"` + base64.StdEncoding.EncodeToString([]byte("kiln:secret")) + `"}}}`
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DOCKER_CONFIG", dir)
	t.Setenv("REGISTRY_AUTH_FILE", filepath.Join(dir, "none.json"))
	got, err := RegistryAuth(Keychain(), "reg.example:5443/kiln/builder-go:1.0.0", "other.example/x")
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"reg.example:5443":"Basic a2lsbjpzZWNyZXQ="}`; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}
