package javafunction

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// POM is the part of pom.xml the buildpack checks before running Maven.
type POM struct {
	XMLName    xml.Name
	GroupID    string   `xml:"groupId"`
	ArtifactID string   `xml:"artifactId"`
	Version    string   `xml:"version"`
	Packaging  string   `xml:"packaging"`
	Modules    []string `xml:"modules>module"`
	Parent     *struct {
		GroupID    string `xml:"groupId"`
		ArtifactID string `xml:"artifactId"`
		Version    string `xml:"version"`
	} `xml:"parent"`
}

// ParsePOM reads pom.xml; an XML error says the line.
func ParsePOM(b []byte) (*POM, error) {
	var p POM
	d := xml.NewDecoder(bytes.NewReader(b))
	// Maven reads any declared encoding; the elements checked here are ASCII.
	d.CharsetReader = func(_ string, in io.Reader) (io.Reader, error) { return in, nil }
	if err := d.Decode(&p); err != nil {
		var syn *xml.SyntaxError
		if errors.As(err, &syn) {
			return nil, fmt.Errorf("pom.xml is not valid XML: line %d: %s: fix the file there (`mvn validate` reports the same)", syn.Line, syn.Msg)
		}
		if err == io.EOF {
			return nil, fmt.Errorf("pom.xml is empty: write a Maven project (<project>…</project>), or delete it to compile the sources with javac")
		}
		return nil, fmt.Errorf("pom.xml is not valid XML: %v: fix the file (`mvn validate` reports the same)", err)
	}
	if p.XMLName.Local != "project" {
		return nil, fmt.Errorf("pom.xml: the root element is <%s>, not <project>: a Maven pom starts with <project xmlns=\"http://maven.apache.org/POM/4.0.0\">", p.XMLName.Local)
	}
	for _, s := range []*string{&p.GroupID, &p.ArtifactID, &p.Version, &p.Packaging} {
		*s = strings.TrimSpace(*s)
	}
	return &p, nil
}

// CheckPOM accepts what kiln/java-function builds: one module, packaging
// jar, with the coordinates Maven requires.
func CheckPOM(b []byte) error {
	p, err := ParsePOM(b)
	if err != nil {
		return err
	}
	if len(p.Modules) > 0 {
		return fmt.Errorf("pom.xml has <modules> (%s): kiln/java-function builds a single-module project; build the function's module directory (e.g. kiln build ./%s), or merge the modules", strings.Join(p.Modules, ", "), strings.TrimSpace(p.Modules[0]))
	}
	if p.ArtifactID == "" {
		return fmt.Errorf("pom.xml: <project> has no <artifactId>: add one, e.g. <artifactId>hello-function</artifactId>")
	}
	if p.GroupID == "" && (p.Parent == nil || strings.TrimSpace(p.Parent.GroupID) == "") {
		return fmt.Errorf("pom.xml: <project> has no <groupId> and no <parent> to inherit one from: add one, e.g. <groupId>com.example</groupId>")
	}
	if p.Version == "" && (p.Parent == nil || strings.TrimSpace(p.Parent.Version) == "") {
		return fmt.Errorf("pom.xml: <project> has no <version> and no <parent> to inherit one from: add one, e.g. <version>1.0.0</version>")
	}
	if p.Packaging != "" && p.Packaging != "jar" && !strings.Contains(p.Packaging, "${") {
		return fmt.Errorf("pom.xml: <packaging>%s</packaging>: kiln/java-function builds jar projects: set <packaging>jar</packaging>, or remove the element (jar is the default)", p.Packaging)
	}
	return nil
}
