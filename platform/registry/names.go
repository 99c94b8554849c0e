package registry

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
)

// The distribution spec's grammar for repository names, tags and (the only
// algorithm kiln stores) sha256 digests.
var (
	nameComponent = `[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*`
	nameRE        = regexp.MustCompile(`^` + nameComponent + `(?:/` + nameComponent + `)*$`)
	tagRE         = regexp.MustCompile(`^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$`)
	digestRE      = regexp.MustCompile(`^sha256:[a-f0-9]{64}$`)
	uploadRE      = regexp.MustCompile(`^[0-9]{1,20}$`)
)

// maxNameLen is what clients accept for a repository name.
const maxNameLen = 255

func validRepo(s string) bool { return len(s) <= maxNameLen && nameRE.MatchString(s) }
func validTag(s string) bool  { return tagRE.MatchString(s) }
func isDigest(s string) bool  { return digestRE.MatchString(s) }

// routeKind is what a /v2/ request addresses.
type routeKind int

const (
	routeBase routeKind = iota
	routeCatalog
	routeManifest
	routeBlob
	routeUpload
	routeTags
	routeReferrers
)

// route is a parsed /v2/ path: repo and ref (a tag or digest, a blob
// digest, an upload id) are validated.
type route struct {
	kind routeKind
	repo string
	ref  string
}

// parseRoute parses and validates a request path the way go-containerregistry's
// handler will route it (the last path elements name the operation).
func parseRoute(p string) (route, *regError) {
	rest, ok := strings.CutPrefix(p, "/v2")
	if !ok || (rest != "" && rest[0] != '/') {
		return route{}, &regError{http.StatusNotFound, "NOT_FOUND", "not a registry path: " + p}
	}
	rest = strings.TrimPrefix(rest, "/")
	switch rest {
	case "":
		return route{kind: routeBase}, nil
	case "_catalog":
		return route{kind: routeCatalog}, nil
	}
	el := strings.Split(rest, "/")
	n := len(el)
	var rt route
	var repoEnd int
	switch {
	case n >= 3 && el[n-2] == "blobs" && el[n-1] == "uploads", n >= 4 && el[n-3] == "blobs" && el[n-2] == "uploads" && el[n-1] == "":
		rt, repoEnd = route{kind: routeUpload}, n-2
		if el[n-1] == "" {
			repoEnd = n - 3
		}
	case n >= 4 && el[n-3] == "blobs" && el[n-2] == "uploads":
		rt, repoEnd = route{kind: routeUpload, ref: el[n-1]}, n-3
		if !uploadRE.MatchString(rt.ref) {
			return rt, &regError{http.StatusNotFound, "BLOB_UPLOAD_UNKNOWN", "unknown upload " + rt.ref}
		}
	case n >= 3 && el[n-2] == "blobs":
		rt, repoEnd = route{kind: routeBlob, ref: el[n-1]}, n-2
		if !isDigest(rt.ref) {
			return rt, &regError{http.StatusBadRequest, "DIGEST_INVALID", "blob digest " + quote(rt.ref) + " is not sha256:<64 hex>"}
		}
	case n >= 3 && el[n-2] == "manifests":
		rt, repoEnd = route{kind: routeManifest, ref: el[n-1]}, n-2
		if !validTag(rt.ref) && !isDigest(rt.ref) {
			return rt, &regError{http.StatusBadRequest, "TAG_INVALID", "reference " + quote(rt.ref) + " is neither a tag ([a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}) nor a sha256 digest"}
		}
	case n >= 3 && el[n-2] == "tags" && el[n-1] == "list":
		rt, repoEnd = route{kind: routeTags}, n-2
	case n >= 3 && el[n-2] == "referrers":
		rt, repoEnd = route{kind: routeReferrers, ref: el[n-1]}, n-2
		if !isDigest(rt.ref) {
			return rt, &regError{http.StatusBadRequest, "DIGEST_INVALID", "referrers need a sha256 digest"}
		}
	default:
		return route{}, &regError{http.StatusNotFound, "NOT_FOUND", "unknown registry path " + p}
	}
	rt.repo = strings.Join(el[:repoEnd], "/")
	if !validRepo(rt.repo) {
		return rt, nameInvalid(rt.repo)
	}
	return rt, nil
}

func nameInvalid(repo string) *regError {
	return &regError{http.StatusBadRequest, "NAME_INVALID",
		"repository name " + quote(repo) + " is invalid: lowercase letters and digits, separated by '.', '_', '__', '-' or '/', at most 255 characters"}
}

// quote bounds what an error echoes back of a hostile request.
func quote(s string) string {
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	b, _ := json.Marshal(s)
	return string(b)
}

// regError is a distribution-spec error response.
type regError struct {
	status  int
	code    string
	message string
}

func (e *regError) write(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	if e.status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="kiln registry"`)
	}
	w.WriteHeader(e.status)
	type item struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	json.NewEncoder(w).Encode(struct {
		Errors []item `json:"errors"`
	}{[]item{{e.code, e.message}}})
}

func regErrInternal(err error) *regError {
	return &regError{http.StatusInternalServerError, "INTERNAL_SERVER_ERROR", err.Error()}
}
