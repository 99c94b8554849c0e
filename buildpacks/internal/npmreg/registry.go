package npmreg

import (
	"context"
	"crypto/sha1"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/Masterminds/semver/v3"
)

// DefaultRegistry is npm's public registry.
const DefaultRegistry = "https://registry.npmjs.org/"

func withSlash(u string) string { return strings.TrimRight(u, "/") + "/" }

// Client reads one registry.
type Client struct {
	Registry string
	HTTP     *http.Client
}

// New returns a client for registry.
func New(registry string) *Client {
	return &Client{Registry: withSlash(registry), HTTP: &http.Client{Timeout: 10 * time.Minute}}
}

// Version is one published version's distribution.
type Version struct {
	Version string `json:"version"`
	Dist    struct {
		Tarball   string `json:"tarball"`
		Integrity string `json:"integrity"`
		Shasum    string `json:"shasum"`
	} `json:"dist"`
}

// Packument is the (abbreviated) package document.
type Packument struct {
	Name     string             `json:"name"`
	DistTags map[string]string  `json:"dist-tags"`
	Versions map[string]Version `json:"versions"`
}

// Packument fetches name's package document.
func (c *Client) Packument(ctx context.Context, name string) (*Packument, error) {
	u := c.Registry + strings.Replace(name, "/", "%2f", 1)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8")
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, fmt.Errorf("npm registry %s: %w (set NPM_CONFIG_REGISTRY or registry= in .npmrc to use a mirror)", c.Registry, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	var p Packument
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
		return nil, fmt.Errorf("GET %s: %w", u, err)
	}
	return &p, nil
}

// Resolve picks the highest version satisfying constraint (a semver range
// like "^22", "20.x", ">=18 <21", or a dist-tag like "latest"); prereleases
// only when the range names one.
func (p *Packument) Resolve(constraint string) (Version, error) {
	constraint = strings.TrimSpace(constraint)
	if constraint == "" || constraint == "*" {
		constraint = "latest"
	}
	if tagged, ok := p.DistTags[constraint]; ok {
		if v, ok := p.Versions[tagged]; ok {
			return v, nil
		}
	}
	c, err := semver.NewConstraint(constraint)
	if err != nil {
		return Version{}, fmt.Errorf("%q is not a semver range or dist-tag of %s", constraint, p.Name)
	}
	var matches []*semver.Version
	for s := range p.Versions {
		if v, err := semver.NewVersion(s); err == nil && c.Check(v) {
			matches = append(matches, v)
		}
	}
	if len(matches) == 0 {
		return Version{}, fmt.Errorf("no version of %s satisfies %q", p.Name, constraint)
	}
	sort.Sort(semver.Collection(matches))
	return p.Versions[matches[len(matches)-1].Original()], nil
}

// Download stores v's tarball at dst after checking its integrity.
func (c *Client) Download(ctx context.Context, v Version, dst string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, v.Dist.Tarball, nil)
	if err != nil {
		return err
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("downloading %s: %w", v.Dist.Tarball, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", v.Dist.Tarball, resp.Status)
	}
	h, want, err := integrity(v)
	if err != nil {
		return err
	}
	f, err := os.Create(dst)
	if err != nil {
		return err
	}
	_, err = io.Copy(io.MultiWriter(f, h), resp.Body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("downloading %s: %w", v.Dist.Tarball, err)
	}
	if got := h.Sum(nil); string(got) != string(want) {
		return fmt.Errorf("SECURITY ERROR: %s does not match its registry integrity %s", v.Dist.Tarball, v.Dist.Integrity)
	}
	return nil
}

// integrity returns the hash to compute and its expected value: the sha512
// SRI when published, else the legacy sha1 shasum.
func integrity(v Version) (hash.Hash, []byte, error) {
	for _, sri := range strings.Fields(v.Dist.Integrity) {
		if b64, ok := strings.CutPrefix(sri, "sha512-"); ok {
			want, err := base64.StdEncoding.DecodeString(b64)
			return sha512.New(), want, err
		}
	}
	if v.Dist.Shasum != "" {
		want, err := hex.DecodeString(v.Dist.Shasum)
		return sha1.New(), want, err
	}
	return nil, nil, fmt.Errorf("%s has no integrity or shasum in the registry: refusing to use it unverified", v.Dist.Tarball)
}
