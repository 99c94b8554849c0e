package regclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// Target is how kiln reaches registries: whose credentials, which
// registries speak plain HTTP, over which transport. The zero value is the
// default keychain over HTTPS (plain HTTP for loopback registries, as
// go-containerregistry does for localhost and 127.0.0.1).
type Target struct {
	Keychain authn.Keychain
	// Insecure lists registries (host or host:port) spoken to over plain
	// HTTP: --insecure-registry.
	Insecure []string
	// Transport replaces remote.DefaultTransport (e.g. to trust a private CA).
	Transport http.RoundTripper
}

// Ref parses an image reference, marking it insecure when its registry is
// one of t.Insecure.
func (t Target) Ref(s string) (name.Reference, error) {
	ref, err := name.ParseReference(s)
	if err != nil {
		return nil, fmt.Errorf("image reference %q: %w", s, err)
	}
	for _, r := range t.Insecure {
		if strings.TrimSuffix(r, "/") == ref.Context().RegistryStr() {
			return name.ParseReference(s, name.Insecure)
		}
	}
	return ref, nil
}

// Keychain finds registry credentials like docker, crane, pack and the
// lifecycle do: $DOCKER_CONFIG/config.json (default ~/.docker/config.json),
// its "auths", "credsStore" and "credHelpers" (docker-credential-* helpers
// on PATH), and podman's auth.json ($REGISTRY_AUTH_FILE).
func Keychain() authn.Keychain { return authn.DefaultKeychain }

// Keys is t's keychain: Keychain() unless one was given.
func (t Target) Keys() authn.Keychain {
	if t.Keychain != nil {
		return t.Keychain
	}
	return Keychain()
}

// RemoteOptions is the one place kiln's registry calls get their
// credentials and transport.
func (t Target) RemoteOptions(ctx context.Context) []remote.Option {
	opts := []remote.Option{remote.WithContext(ctx), remote.WithAuthFromKeychain(t.Keys()), remote.WithUserAgent("kiln")}
	if t.Transport != nil {
		opts = append(opts, remote.WithTransport(t.Transport))
	}
	return opts
}

// WriteImage pushes img to ref and returns its digest.
func (t Target) WriteImage(ctx context.Context, ref string, img v1.Image) (v1.Hash, error) {
	r, err := t.Ref(ref)
	if err != nil {
		return v1.Hash{}, err
	}
	if err := remote.Write(r, img, t.RemoteOptions(ctx)...); err != nil {
		return v1.Hash{}, Explain("pushing "+ref, r, err)
	}
	return img.Digest()
}

// WriteIndex pushes idx (and every image it holds) to ref.
func (t Target) WriteIndex(ctx context.Context, ref string, idx v1.ImageIndex) (v1.Hash, error) {
	r, err := t.Ref(ref)
	if err != nil {
		return v1.Hash{}, err
	}
	if err := remote.WriteIndex(r, idx, t.RemoteOptions(ctx)...); err != nil {
		return v1.Hash{}, Explain("pushing "+ref, r, err)
	}
	return idx.Digest()
}

// Get fetches ref's descriptor (image or index).
func (t Target) Get(ctx context.Context, ref string) (*remote.Descriptor, error) {
	r, err := t.Ref(ref)
	if err != nil {
		return nil, err
	}
	d, err := remote.Get(r, t.RemoteOptions(ctx)...)
	if err != nil {
		return nil, Explain("reading "+ref, r, err)
	}
	return d, nil
}

// Image fetches ref as an image (for an index: its linux/amd64 entry, or
// the platform given).
func (t Target) Image(ctx context.Context, ref string, platform *v1.Platform) (v1.Image, error) {
	r, err := t.Ref(ref)
	if err != nil {
		return nil, err
	}
	opts := t.RemoteOptions(ctx)
	if platform != nil {
		opts = append(opts, remote.WithPlatform(*platform))
	}
	img, err := remote.Image(r, opts...)
	if err != nil {
		return nil, Explain("reading "+ref, r, err)
	}
	return img, nil
}

// explain turns the registry errors a user can fix into sentences saying how.
func Explain(what string, ref name.Reference, err error) error {
	reg := ref.Context().RegistryStr()
	var te *transport.Error
	if errors.As(err, &te) {
		switch te.StatusCode {
		case http.StatusUnauthorized:
			return fmt.Errorf("%s: %s asks for credentials and kiln found none that it accepts: log in with `docker login %s` (or put them in $DOCKER_CONFIG/config.json): %w", what, reg, reg, err)
		case http.StatusForbidden:
			return fmt.Errorf("%s: %s refused these credentials (403): check the account may push to %s: %w", what, reg, ref.Context().Name(), err)
		}
	}
	if strings.Contains(err.Error(), "server gave HTTP response to HTTPS client") {
		return fmt.Errorf("%s: %s speaks plain HTTP: pass --insecure-registry %s if that is intended: %w", what, reg, reg, err)
	}
	if strings.Contains(err.Error(), "x509:") || strings.Contains(err.Error(), "tls:") {
		return fmt.Errorf("%s: %s's TLS certificate is not trusted here: add its CA to the system's trust store (or SSL_CERT_FILE): %w", what, reg, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}
