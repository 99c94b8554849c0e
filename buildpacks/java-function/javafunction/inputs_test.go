package javafunction_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/buildpacks/libcnb/v2"
	. "github.com/onsi/gomega"
	"github.com/paketo-buildpacks/libpak/v2/log"

	"kiln.dev/kiln/buildpacks/internal/command"
	"kiln.dev/kiln/buildpacks/java-function/javafunction"
)

type noJDK struct{ t *testing.T }

func (n noJDK) Run(c command.Command) error {
	n.t.Errorf("ran %v before rejecting the input", c.Args)
	return nil
}

// Malformed inputs of kiln/java-function stop the build before the JDK runs.
func TestBuildInputErrors(t *testing.T) {
	for _, tt := range []struct {
		name string
		env  map[string]string
		pom  string
		want string
	}{
		{"FUNC_NAME not a class name", map[string]string{"FUNC_NAME": "com/example/Hello"}, "",
			`FUNC_NAME="com/example/Hello" is not a Java class name: give the function class's full name, e.g. FUNC_NAME=com.example.Hello`},
		{"FUNC_SIGNATURE_TYPE openfunction", map[string]string{"FUNC_NAME": "com.example.Hello", "FUNC_SIGNATURE_TYPE": "openfunction"}, "",
			`FUNC_SIGNATURE_TYPE=openfunction is not supported for Java functions (want one of: http, cloudevent)`},
		{"GOOGLE_FUNCTION_SIGNATURE_TYPE openfunction", map[string]string{"GOOGLE_FUNCTION_TARGET": "com.example.Hello", "GOOGLE_FUNCTION_SIGNATURE_TYPE": "openfunction"}, "",
			`GOOGLE_FUNCTION_SIGNATURE_TYPE=openfunction is not supported for Java functions (want one of: http, cloudevent)`},
		{"pom.xml invalid XML", map[string]string{"FUNC_NAME": "com.example.Hello"}, "<project>\n<artifactId>x</artifact>\n</project>",
			"pom.xml is not valid XML: line 2: element <artifactId> closed by </artifact>: fix the file there (`mvn validate` reports the same)"},
		{"pom.xml war", map[string]string{"FUNC_NAME": "com.example.Hello"}, "<project><groupId>g</groupId><artifactId>x</artifactId><version>1</version><packaging>war</packaging></project>",
			"pom.xml: <packaging>war</packaging>: kiln/java-function builds jar projects: set <packaging>jar</packaging>, or remove the element (jar is the default)"},
		{"pom.xml multi-module", map[string]string{"FUNC_NAME": "com.example.Hello"}, "<project><groupId>g</groupId><artifactId>x</artifactId><version>1</version><packaging>pom</packaging><modules><module>fn</module></modules></project>",
			"pom.xml has <modules> (fn): kiln/java-function builds a single-module project; build the function's module directory (e.g. kiln build ./fn), or merge the modules"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			Expect := NewWithT(t).Expect
			for _, k := range []string{"FUNC_NAME", "GOOGLE_FUNCTION_TARGET", "FUNC_SIGNATURE_TYPE", "FUNC_TYPE", "GOOGLE_FUNCTION_SIGNATURE_TYPE"} {
				t.Setenv(k, tt.env[k])
			}
			app := t.TempDir()
			if tt.pom != "" {
				Expect(os.WriteFile(filepath.Join(app, "pom.xml"), []byte(tt.pom), 0o644)).To(Succeed())
			}
			ctx := libcnb.BuildContext{ApplicationPath: app, Layers: libcnb.Layers{Path: t.TempDir()}}
			_, err := javafunction.Builder{Logger: log.NewDiscardLogger(), Executor: noJDK{t}}.Build(ctx)
			Expect(err).To(MatchError(tt.want))
		})
	}
}
