package registry

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestParseRoute(t *testing.T) {
	d := "sha256:" + sixty4
	for path, want := range map[string]string{
		"/v2":                                              "base",
		"/v2/":                                             "base",
		"/v2/_catalog":                                     "catalog",
		"/v2/a/manifests/latest":                           "manifest a latest",
		"/v2/kiln/builder-go/manifests/" + d:               "manifest kiln/builder-go " + d,
		"/v2/a.b/c_d/e__f/g---h/manifests/v1":              "manifest a.b/c_d/e__f/g---h v1",
		"/v2/a/blobs/" + d:                                 "blob a " + d,
		"/v2/a/blobs/uploads":                              "upload a",
		"/v2/a/blobs/uploads/":                             "upload a",
		"/v2/a/b/blobs/uploads/123":                        "upload a/b 123",
		"/v2/a/tags/list":                                  "tags a",
		"/v2/a/referrers/" + d:                             "referrers a " + d,
		"/v2/x/blobs/manifests/t":                          "manifest x/blobs t",
		"/v2/../manifests/latest":                          "400 NAME_INVALID",
		"/v2/a/../../manifests/latest":                     "400 NAME_INVALID",
		"/v2/./manifests/latest":                           "400 NAME_INVALID",
		"/v2/A/manifests/latest":                           "400 NAME_INVALID",
		"/v2/a//b/manifests/latest":                        "400 NAME_INVALID",
		"/v2/a-/manifests/latest":                          "400 NAME_INVALID",
		"/v2/a___b/manifests/latest":                       "400 NAME_INVALID",
		"/v2/" + strings.Repeat("a", 256) + "/manifests/v": "400 NAME_INVALID",
		"/v2/" + strings.Repeat("a", 255) + "/manifests/v": "manifest " + strings.Repeat("a", 255) + " v",
		"/v2/a/manifests/..":                               "400 TAG_INVALID",
		"/v2/a/manifests/.hidden":                          "400 TAG_INVALID",
		"/v2/a/manifests/" + strings.Repeat("t", 129):      "400 TAG_INVALID",
		"/v2/a/manifests/sha256:abc":                       "400 TAG_INVALID",
		"/v2/a/blobs/sha256:abc":                           "400 DIGEST_INVALID",
		"/v2/a/blobs/sha512:" + sixty4 + sixty4:            "400 DIGEST_INVALID",
		"/v2/a/blobs/uploads/../x":                         "404 NOT_FOUND", "/v2/a/blobs/uploads/x": "404 BLOB_UPLOAD_UNKNOWN",
		"/v2/a/referrers/latest": "400 DIGEST_INVALID",
		"/v2/a/unknown/op":       "404 NOT_FOUND",
		"/v2a/manifests/x":       "404 NOT_FOUND",
		"/etc/passwd":            "404 NOT_FOUND",
	} {
		rt, rerr := parseRoute(path)
		got := ""
		if rerr != nil {
			got = fmt.Sprintf("%d %s", rerr.status, rerr.code)
		} else {
			got = [...]string{"base", "catalog", "manifest", "blob", "upload", "tags", "referrers"}[rt.kind]
			if rt.repo != "" {
				got += " " + rt.repo + " " + rt.ref
			}
		}
		if got = strings.TrimSpace(got); got != want {
			t.Errorf("parseRoute(%q) = %q, want %q", path, got, want)
		}
	}
}

// rawRequest sends what go-containerregistry's client would never send.
func rawRequest(t *testing.T, r *Registry, method, path string, auth bool, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, "http://"+r.Addr+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.URL.Opaque, _, _ = strings.Cut(path, "?") // keep "..": no client-side cleaning
	if auth {
		tok, _ := token(r.dir)
		req.SetBasicAuth(tokenUser, tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestQuoteBoundsWhatErrorsEcho(t *testing.T) {
	if got := quote(strings.Repeat("x", 80)); got != `"`+strings.Repeat("x", 80)+`"` {
		t.Errorf("80 characters: %s", got)
	}
	if got := quote(strings.Repeat("x", 81)); got != `"`+strings.Repeat("x", 80)+`…"` {
		t.Errorf("81 characters: %s", got)
	}
}

func TestHostileNamesAreRefusedBeforeStorage(t *testing.T) {
	dir := t.TempDir()
	r := serveHere(t, dir)
	for _, p := range []string{"/v2/../manifests/x", "/v2/../../../etc/manifests/x", "/v2/%2e%2e/manifests/x", "/v2/a/manifests/..%2f..%2fx"} {
		code, body := rawRequest(t, r, http.MethodPut, p, true, `{"schemaVersion":2}`)
		if code != http.StatusNotFound && (code != http.StatusBadRequest || !(strings.Contains(body, "NAME_INVALID") || strings.Contains(body, "TAG_INVALID"))) {
			t.Errorf("PUT %s: %d %s, want 400 NAME_INVALID or TAG_INVALID (or 404 for no route)", p, code, body)
		}
	}
	if u, err := DiskUsage(dir); err != nil || len(u.Repos) != 0 {
		t.Errorf("journal after hostile PUTs: %+v %v", u, err)
	}
	code, body := rawRequest(t, r, http.MethodPost, "/v2/a/blobs/uploads/?mount=sha256:"+sixty4+"&from=..", true, "")
	if code != http.StatusBadRequest || !strings.Contains(body, "NAME_INVALID") {
		t.Errorf("mount from ..: %d %s", code, body)
	}
}
