package sbom

import (
	"net/url"
	"strings"
)

// escape percent-encodes one purl segment (keeps the characters purls allow
// unencoded).
func escape(s string) string {
	r := strings.NewReplacer("+", "%2B", "@", "%40")
	return r.Replace(url.PathEscape(s))
}

func escapePath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		parts[i] = escape(s)
	}
	return strings.Join(parts, "/")
}

func withVersion(p, version string) string {
	if version == "" {
		return p
	}
	return p + "@" + escape(version)
}

// GolangPURL is pkg:golang/<module path>@<version>.
func GolangPURL(module, version string) string {
	return withVersion("pkg:golang/"+escapePath(module), version)
}

// NPMPURL is pkg:npm/<name>@<version>; a scoped name's @ is encoded
// (pkg:npm/%40scope/name@1.0.0).
func NPMPURL(name, version string) string {
	return withVersion("pkg:npm/"+escapePath(name), version)
}

// PyPIPURL is pkg:pypi/<normalized name>@<version> (lower case, runs of
// -_. as one -, as PEP 503 and the purl spec normalize).
func PyPIPURL(name, version string) string {
	return withVersion("pkg:pypi/"+escape(NormalizePyPI(name)), version)
}

// NormalizePyPI is PEP 503's name normalization.
func NormalizePyPI(name string) string {
	var b strings.Builder
	sep := false
	for _, r := range strings.ToLower(strings.TrimSpace(name)) {
		if r == '-' || r == '_' || r == '.' {
			sep = true
			continue
		}
		if sep && b.Len() > 0 {
			b.WriteByte('-')
		}
		sep = false
		b.WriteRune(r)
	}
	return b.String()
}

// MavenPURL is pkg:maven/<groupId>/<artifactId>@<version>.
func MavenPURL(group, artifact, version string) string {
	return withVersion("pkg:maven/"+escape(group)+"/"+escape(artifact), version)
}

// GenericPURL is pkg:generic/<name>@<version>, for toolchains (node, the JDK
// runtime) that have no package ecosystem of their own.
func GenericPURL(name, version string) string {
	return withVersion("pkg:generic/"+escape(name), version)
}
