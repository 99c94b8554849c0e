package local

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"sigs.k8s.io/e2e-framework/pkg/envconf"
	"sigs.k8s.io/e2e-framework/pkg/features"

	"kiln.dev/kiln/e2e/kiln"
)

// probeFunction is a Go function that reports what its sandbox lets it do:
// GET /?dial=HOST:PORT tries a connection, GET / prints its credentials and
// network interfaces.
var probeFunction = map[string]string{
	"go.mod": "module example.com/probe\n\ngo 1.26\n",
	"probe.go": `package probe

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"
)

func Probe(w http.ResponseWriter, r *http.Request) {
	if a := r.URL.Query().Get("dial"); a != "" {
		c, err := net.DialTimeout("tcp", a, 2*time.Second)
		if err != nil {
			fmt.Fprintln(w, "blocked:", err)
			return
		}
		c.Close()
		fmt.Fprintln(w, "reached", a)
		return
	}
	b, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(b), "\n") {
		for _, k := range []string{"Uid:", "CapEff:", "CapBnd:", "NoNewPrivs:", "Seccomp:"} {
			if strings.HasPrefix(l, k) {
				fmt.Fprintln(w, strings.Join(strings.Fields(l), " "))
			}
		}
	}
	ifs, _ := net.Interfaces()
	var names []string
	for _, i := range ifs {
		names = append(names, i.Name)
	}
	fmt.Fprintln(w, "interfaces:", strings.Join(names, ","))
}
`,
}

// postinstallProbe is a Node.js app whose npm postinstall script (run by
// kiln/npm-install during the build) tries to reach addr and fails the
// build if it can: what a hostile dependency would do to the registry.
func postinstallProbe(addr string) map[string]string {
	host, port, _ := strings.Cut(addr, ":")
	js := fmt.Sprintf(`const s=require('net').connect({host:'%s',port:%s});s.setTimeout(3000);`+
		`s.on('connect',()=>{console.log('PROBE: reached %s from the build');process.exit(1)});`+
		`s.on('error',(e)=>console.log('PROBE: blocked ('+e.code+')'));`+
		`s.on('timeout',()=>{console.log('PROBE: blocked (timeout)');s.destroy()});`, host, port, addr)
	pkg, _ := json.Marshal(map[string]any{"name": "probe", "version": "1.0.0",
		// npm install runs in a layer with only package.json: the
		// dependency is the copy of the source in /workspace.
		"dependencies": map[string]string{"probe-dep": "file:/workspace/dep"},
		"scripts":      map[string]string{"postinstall": "node -e \"" + js + "\""}})
	return map[string]string{
		"package.json":     string(pkg),
		"dep/package.json": `{"name":"probe-dep","version":"1.0.0"}`,
		"index.js":         "exports.fn = (req, res) => res.send('ok');\n",
	}
}

func TestIsolation(t *testing.T) {
	f := features.New("builds and functions are isolated from the host").
		Assess("a build cannot reach the embedded registry", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			res := k.Run("build", writeTree(t, postinstallProbe(k.Registry)), "--image", "e2e-probe-build", "--target", "fn")
			if res.Err() != nil || !strings.Contains(res.Output, "PROBE: blocked") {
				t.Fatalf("the build's postinstall reached the registry (or the build failed):\n%s", res.Output)
			}
			return ctx
		}).
		Assess("a function has no privileges and cannot reach the registry", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			if err := k.Run("build", writeTree(t, probeFunction), "--image", "e2e-probe", "--target", "Probe").Err(); err != nil {
				t.Fatal(err)
			}
			r, err := k.Start("e2e-probe")
			if err != nil {
				t.Fatal(err)
			}
			defer r.Stop(15 * time.Second)
			_, body, err := kiln.Get(r.URL + "/?dial=" + k.Registry)
			if err != nil || !strings.HasPrefix(body, "blocked:") {
				t.Errorf("dialing the registry from the function: %q %v", body, err)
			}
			_, body, err = kiln.Get(r.URL + "/")
			for _, want := range []string{"Uid: 1000 1000 1000 1000", "CapEff: 0000000000000000", "CapBnd: 0000000000000000", "NoNewPrivs: 1", "Seccomp: 2", "interfaces: lo\n"} {
				if err != nil || !strings.Contains(body, want) {
					t.Errorf("the function's status lacks %q:\n%s (%v)", want, body, err)
				}
			}
			return ctx
		}).
		Assess("SIGKILL of kiln build leaves nothing running, and the next build sweeps its state", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			src := filepath.Join(repo, "samples", "go", "hello")
			// Only what the killed build leaves counts: another test's run may
			// hold its state directory while this one runs.
			before := map[string]bool{}
			for _, l := range leftovers(t) {
				before[l] = true
			}
			c := exec.Command(k.Bin, "build", src, "--image", "e2e-killed", "--target", "HelloWorld")
			c.Env = append(append(os.Environ(), "KILN_HOME="+k.Home), k.Env...)
			out, _ := c.StdoutPipe()
			c.Stderr = c.Stdout
			if err := c.Start(); err != nil {
				t.Fatal(err)
			}
			lines := bufio.NewScanner(out)
			var seen strings.Builder
			for lines.Scan() && !strings.Contains(lines.Text(), "==> BUILDING") {
				seen.WriteString(lines.Text() + "\n")
			}
			go io.Copy(io.Discard, out)
			c.Process.Signal(syscall.SIGKILL)
			c.Wait()
			var left []string
			for _, l := range leftovers(t) {
				if !before[l] {
					left = append(left, l)
				}
			}
			if len(left) == 0 {
				t.Fatalf("expected the killed build's state on disk; output so far:\n%s", seen.String())
			}
			if err := poll(10*time.Second, func() bool { return lifecycleProcesses("e2e-killed") == 0 }); err != nil {
				t.Fatal("the lifecycle outlived kiln build")
			}
			if err := k.Run(buildArgs("hello", samples["hello"])...).Err(); err != nil {
				t.Fatal(err)
			}
			for _, l := range left {
				if _, err := os.Stat(l); err == nil {
					t.Errorf("%s survived the next build", l)
				}
			}
			return ctx
		}).Feature()
	testenv.Test(t, f)
}

// leftovers are the build and run state directories in the suite's stores.
func leftovers(t *testing.T) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(k.Home, "userns", "*", "runs", "*-*"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// lifecycleProcesses counts running CNB lifecycle processes building image.
func lifecycleProcesses(image string) int {
	n := 0
	dirs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, d := range dirs {
		if b, err := os.ReadFile(d); err == nil && strings.HasPrefix(string(b), "/cnb/lifecycle/") && strings.Contains(string(b), image) {
			n++
		}
	}
	return n
}
