// Package mavenrepo serves a Maven repository directory over HTTP on
// 127.0.0.1. Maven Central is unreachable on Kiln's test machines, so the
// Maven tests build against Debian's packaged repository (/usr/share/maven-repo:
// the plugins `mvn package` binds by default, maven-dependency-plugin and the
// libraries the samples use), served the way a Nexus or Artifactory mirror
// would be.
package mavenrepo

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// DebianRepo is where Debian's maven-repo-helper installs artifacts.
const DebianRepo = "/usr/share/maven-repo"

// DebianPackages are the Debian packages whose artifacts the tests need:
// Maven's default build plugins, the dependency plugin Kiln runs, and the
// libraries samples/java/dependency uses. .ci/run installs them.
var DebianPackages = []string{"maven", "libmaven-resources-plugin-java", "libmaven-compiler-plugin-java",
	"libsurefire-java", "libmaven-jar-plugin-java", "libmaven-dependency-plugin-java", "libcommons-lang3-java"}

// required are artifact directories whose absence means a package is missing.
var required = []string{
	"org/apache/maven/plugins/maven-compiler-plugin/3.1",
	"org/apache/maven/plugins/maven-resources-plugin/2.6",
	"org/apache/maven/plugins/maven-surefire-plugin/2.12.4",
	"org/apache/maven/plugins/maven-jar-plugin/2.4",
	"org/apache/maven/plugins/maven-dependency-plugin/3.5.0",
	"org/apache/commons/commons-lang3/3.12.0",
}

// Check reports which artifacts dir lacks, with the apt command that adds them.
func Check(dir string) error {
	var missing []string
	for _, r := range required {
		if _, err := os.Stat(filepath.Join(dir, r)); err != nil {
			missing = append(missing, r)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("the Maven repository %s lacks %s: apt-get install %s", dir, strings.Join(missing, ", "), strings.Join(DebianPackages, " "))
	}
	return nil
}

// Repo is a running repository server.
type Repo struct {
	// URL is the repository's base URL (no trailing slash).
	URL string
	// Dir is the directory served.
	Dir string

	srv    *http.Server
	mu     sync.Mutex
	served map[string]int
}

// Serve checks dir and serves it on a free loopback port. Symlinks (Debian's
// repository links into /usr/share/java) are followed.
func Serve(dir string) (*Repo, error) {
	if err := Check(dir); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	r := &Repo{URL: "http://" + ln.Addr().String(), Dir: dir, served: map[string]int{}}
	files := http.FileServer(http.Dir(dir))
	r.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method == http.MethodGet && strings.HasSuffix(req.URL.Path, ".jar") {
			r.mu.Lock()
			r.served[strings.TrimPrefix(req.URL.Path, "/")]++
			r.mu.Unlock()
		}
		files.ServeHTTP(w, req)
	})}
	go func() {
		if err := r.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintln(os.Stderr, "mavenrepo:", err)
		}
	}()
	return r, nil
}

// Served is how many times each jar path was downloaded.
func (r *Repo) Served() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]int, len(r.served))
	for k, v := range r.served {
		out[k] = v
	}
	return out
}

// Close stops the server.
func (r *Repo) Close() error { return r.srv.Close() }
