package sbom

import (
	"archive/zip"
	"bufio"
	"fmt"
	"io"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// maxPOMProperties bounds one pom.properties read from a jar.
const maxPOMProperties = 1 << 20

// MavenJars lists the jars in dir (a Maven copy-dependencies output): the
// groupId, artifactId and version from the META-INF/maven/*/*/pom.properties
// Maven puts in every jar it builds (the one matching the file name when a
// shaded jar carries several), and the jar's SHA-256. A jar without one is
// listed by file name, without a purl.
func MavenJars(dir string) ([]Component, error) {
	jars, err := filepath.Glob(filepath.Join(dir, "*.jar"))
	if err != nil {
		return nil, err
	}
	var comps []Component
	for _, jar := range jars {
		c, err := mavenJar(jar)
		if err != nil {
			return nil, fmt.Errorf("sbom: reading %s: %w", jar, err)
		}
		h, err := FileHash(jar)
		if err != nil {
			return nil, err
		}
		c.Hashes = []Hash{h}
		comps = append(comps, c)
	}
	return comps, nil
}

func mavenJar(jar string) (Component, error) {
	base := strings.TrimSuffix(filepath.Base(jar), ".jar")
	zr, err := zip.OpenReader(jar)
	if err != nil {
		return Component{}, err
	}
	defer zr.Close()
	var found []Component
	for _, f := range zr.File {
		if path.Base(f.Name) != "pom.properties" || !strings.HasPrefix(f.Name, "META-INF/maven/") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return Component{}, err
		}
		props := properties(io.LimitReader(rc, maxPOMProperties))
		rc.Close()
		g, a, v := props["groupId"], props["artifactId"], props["version"]
		if g == "" || a == "" || v == "" {
			continue
		}
		found = append(found, Component{Group: g, Name: a, Version: v, PURL: MavenPURL(g, a, v)})
	}
	sort.Slice(found, func(i, j int) bool { return found[i].PURL < found[j].PURL })
	for _, c := range found {
		if c.Name+"-"+c.Version == base {
			return c, nil
		}
	}
	if len(found) > 0 {
		return found[0], nil
	}
	return Component{Name: base + ".jar"}, nil
}

// properties reads a Java properties file's key=value lines (comments and
// blank lines skipped; enough for pom.properties).
func properties(r io.Reader) map[string]string {
	out := map[string]string{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == '!' {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			k, v, ok = strings.Cut(line, ":")
		}
		if ok {
			out[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return out
}

// JavaRuntime reads JAVA_VERSION (and IMPLEMENTOR when present) from the
// release file a JDK or jlink image has at its root.
func JavaRuntime(home string) (Component, error) {
	p := filepath.Join(home, "release")
	b, err := readBounded(p)
	if err != nil {
		return Component{}, fmt.Errorf("sbom: reading %s: %w", p, err)
	}
	props := properties(strings.NewReader(string(b)))
	v := strings.Trim(props["JAVA_VERSION"], `"`)
	if v == "" {
		return Component{}, fmt.Errorf("sbom: %s has no JAVA_VERSION", p)
	}
	return Component{Type: "platform", Name: "openjdk", Version: v, PURL: GenericPURL("openjdk", v)}, nil
}
