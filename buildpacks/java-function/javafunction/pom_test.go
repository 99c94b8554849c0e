package javafunction

import (
	"strings"
	"testing"
)

const pomHead = `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
`

func TestCheckPOM(t *testing.T) {
	for _, ok := range []string{
		pomHead + "<groupId>com.example</groupId><artifactId>fn</artifactId><version>1.0.0</version></project>",
		pomHead + "<groupId>com.example</groupId><artifactId>fn</artifactId><version>1.0.0</version><packaging> jar </packaging></project>",
		pomHead + "<parent><groupId>com.example</groupId><artifactId>parent</artifactId><version>2</version></parent><artifactId>fn</artifactId></project>",
		pomHead + "<groupId>g</groupId><artifactId>fn</artifactId><version>1</version><packaging>${kind}</packaging></project>",
		`<?xml version="1.0" encoding="ISO-8859-1"?><project><groupId>g</groupId><artifactId>fn</artifactId><version>1</version></project>`,
	} {
		if err := CheckPOM([]byte(ok)); err != nil {
			t.Errorf("CheckPOM(%s) = %v", ok, err)
		}
	}
}

// Every pom.xml kiln/java-function cannot build is reported with the fix.
func TestCheckPOMErrors(t *testing.T) {
	for _, tt := range []struct{ name, pom, want string }{
		{"invalid XML", pomHead + "  <artifactId>fn</artifactId\n</project>\n", "pom.xml is not valid XML: line 5: invalid characters between </artifactId and >: fix the file there (`mvn validate` reports the same)"},
		{"unclosed element", pomHead + "  <dependencies>\n</project>\n", "pom.xml is not valid XML: line 5: element <dependencies> closed by </project>: fix the file there (`mvn validate` reports the same)"},
		{"truncated", pomHead + "  <artifactId>fn", "pom.xml is not valid XML: line 4: unexpected EOF: fix the file there (`mvn validate` reports the same)"},
		{"empty", "", "pom.xml is empty: write a Maven project (<project>…</project>), or delete it to compile the sources with javac"},
		{"not a project", "<settings/>", `pom.xml: the root element is <settings>, not <project>: a Maven pom starts with <project xmlns="http://maven.apache.org/POM/4.0.0">`},
		{"missing artifactId", pomHead + "<groupId>com.example</groupId><version>1.0.0</version></project>", "pom.xml: <project> has no <artifactId>: add one, e.g. <artifactId>hello-function</artifactId>"},
		{"missing groupId", pomHead + "<artifactId>fn</artifactId><version>1.0.0</version></project>", "pom.xml: <project> has no <groupId> and no <parent> to inherit one from: add one, e.g. <groupId>com.example</groupId>"},
		{"missing version", pomHead + "<groupId>g</groupId><artifactId>fn</artifactId></project>", "pom.xml: <project> has no <version> and no <parent> to inherit one from: add one, e.g. <version>1.0.0</version>"},
		{"war packaging", pomHead + "<groupId>g</groupId><artifactId>fn</artifactId><version>1</version><packaging>war</packaging></project>", "pom.xml: <packaging>war</packaging>: kiln/java-function builds jar projects: set <packaging>jar</packaging>, or remove the element (jar is the default)"},
		{"multi-module", pomHead + "<groupId>g</groupId><artifactId>parent</artifactId><version>1</version><packaging>pom</packaging><modules><module>api</module><module>fn</module></modules></project>", "pom.xml has <modules> (api, fn): kiln/java-function builds a single-module project; build the function's module directory (e.g. kiln build ./api), or merge the modules"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := CheckPOM([]byte(tt.pom)); err == nil || err.Error() != tt.want {
				t.Fatalf("err = %v\nwant  %s", err, tt.want)
			}
		})
	}
}

// FuzzParsePOM: any pom.xml is accepted or rejected with an error naming
// pom.xml; never a panic.
func FuzzParsePOM(f *testing.F) {
	for _, s := range []string{pomHead + "<groupId>g</groupId><artifactId>a</artifactId><version>1</version></project>", "", "<project/>", "<a>", "<?xml version=\"1.0\" encoding=\"UTF-16\"?><project/>",
		pomHead + "<modules><module>x</module></modules></project>", "<!DOCTYPE project [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><project><artifactId>&x;</artifactId></project>"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if err := CheckPOM(b); err != nil && !strings.Contains(err.Error(), "pom.xml") {
			t.Fatalf("error does not name pom.xml: %v", err)
		}
	})
}
