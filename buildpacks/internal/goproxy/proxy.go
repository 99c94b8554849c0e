package goproxy

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// DefaultProxy is used when GOPROXY is unset.
const DefaultProxy = "https://proxy.golang.org"

// Bounds on what a proxy may send: a Go toolchain zip is about 75 MB, a
// checksum database tile or lookup a few kB. Variables for tests.
var (
	MaxDownload  int64 = 512 << 20
	MaxSumdbRead       = 1 << 20
)

// BaseURL picks the first proxy URL from a GOPROXY value ("," or "|"
// separated). "direct" and "off" are not usable for toolchain downloads.
func BaseURL(goproxy string) (string, error) {
	if strings.TrimSpace(goproxy) == "" {
		return DefaultProxy, nil
	}
	for _, p := range strings.FieldsFunc(goproxy, func(r rune) bool { return r == ',' || r == '|' }) {
		p = strings.TrimSpace(p)
		switch p {
		case "", "direct":
			continue
		case "off":
			return "", fmt.Errorf("GOPROXY=%q disables the module proxy, but Go toolchains are downloaded from it; set GOPROXY to a proxy or mirror URL (e.g. https://proxy.golang.org)", goproxy)
		}
		if _, err := url.Parse(p); err != nil {
			return "", fmt.Errorf("GOPROXY entry %q is not a URL: %w", p, err)
		}
		return strings.TrimRight(p, "/"), nil
	}
	return "", fmt.Errorf("GOPROXY=%q has no proxy URL (only \"direct\"); Go toolchains come from a module proxy: add one, e.g. GOPROXY=https://proxy.golang.org,direct", goproxy)
}

// Client downloads from one proxy base URL.
type Client struct {
	Base string
	HTTP *http.Client
}

// NewClient returns a client for the first proxy of goproxy.
func NewClient(goproxy string) (*Client, error) {
	base, err := BaseURL(goproxy)
	if err != nil {
		return nil, err
	}
	return &Client{Base: base, HTTP: &http.Client{Timeout: 10 * time.Minute}}, nil
}

// Get fetches base+path. file:// proxies are read from disk.
func (c *Client) Get(ctx context.Context, path string) (io.ReadCloser, error) {
	u := c.Base + "/" + strings.TrimLeft(path, "/")
	if strings.HasPrefix(u, "file://") {
		f, err := os.Open(strings.TrimPrefix(u, "file://"))
		if err != nil {
			return nil, fmt.Errorf("GOPROXY %s: %w", c.Base, err)
		}
		return f, nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, fmt.Errorf("GOPROXY %s: %w (check GOPROXY, HTTPS_PROXY and that the proxy is reachable)", c.Base, err)
	}
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		resp.Body.Close()
		return nil, fmt.Errorf("GET %s: %s: %s", u, resp.Status, strings.TrimSpace(string(b)))
	}
	return resp.Body, nil
}

// Download stores base+path into the file dst.
func (c *Client) Download(ctx context.Context, path, dst string) (int64, error) {
	rc, err := c.Get(ctx, path)
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	f, err := os.Create(dst)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(f, io.LimitReader(rc, MaxDownload+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && n > MaxDownload {
		err = fmt.Errorf("larger than %d MiB: GOPROXY %s does not serve a Go module zip there; point GOPROXY at a proxy you trust", MaxDownload>>20, c.Base)
	}
	if err != nil {
		os.Remove(dst)
		return n, fmt.Errorf("downloading %s: %w", path, err)
	}
	return n, nil
}
