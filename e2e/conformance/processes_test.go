package conformance

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	conformancefn "kiln.dev/conformance-functions"
	"kiln.dev/functions-framework-go/funcframework"
)

// The frameworks run as processes on the host, started the way their
// buildpacks start them (buildpacks/*-function/*/build.go), each with
// PORT=0: the kernel picks a free port and the framework's "serving … on
// port N" line (Go: "on [::]:N") says which, so no port is picked and
// released before the framework binds it.

// serveEnv, set in a re-executed test binary, makes it the Go framework's
// process: main is funcframework.Main, as in the main the Go buildpack
// generates (buildpacks/go-function/gofunction/template.go).
const serveEnv = "KILN_CONFORMANCE_SERVE"

func TestMain(m *testing.M) {
	if os.Getenv(serveEnv) == "go-http" {
		funcframework.Main(funcframework.HTTPHandler(conformancefn.HTTP))
		return
	}
	code := m.Run()
	javaBuild.cleanup()
	os.Exit(code)
}

// framework says how to start one framework serving the conformance fixture.
type framework struct {
	name string
	// tool must be on PATH, else the framework's rows are skipped.
	tool string
	// command returns the process for signature "http" or "openfunction"
	// (the latter only where openfunction is set).
	command func(t *testing.T, signature string) *exec.Cmd
	// openfunction: the framework serves Dapr's HTTP app protocol, so the
	// 34 MB POST also goes to a Dapr input binding.
	openfunction bool
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

var frameworks = []framework{
	{name: "go", tool: "", command: func(t *testing.T, _ string) *exec.Cmd {
		cmd := exec.Command(os.Args[0])
		cmd.Env = []string{serveEnv + "=go-http", "FUNCTION_TARGET=HTTP"}
		return cmd
	}},
	{name: "nodejs", tool: "node", openfunction: true, command: func(t *testing.T, signature string) *exec.Cmd {
		root := repoRoot(t)
		cmd := exec.Command("node", filepath.Join(root, "framework-templates", "nodejs", "bin", "serve.js"))
		target := map[string]string{"http": "http", "openfunction": "openFunction"}[signature]
		cmd.Env = []string{"FUNCTION_SOURCE=" + filepath.Join(root, "e2e", "conformance", "functions", "nodejs", "index.js"), "FUNCTION_TARGET=" + target}
		return cmd
	}},
	{name: "python", tool: "python3", openfunction: true, command: func(t *testing.T, signature string) *exec.Cmd {
		root := repoRoot(t)
		cmd := exec.Command("python3", "-m", "kiln_functions_framework")
		target := map[string]string{"http": "http", "openfunction": "open_function"}[signature]
		cmd.Env = []string{"PYTHONPATH=" + filepath.Join(root, "framework-templates", "python"), "PYTHONDONTWRITEBYTECODE=1", "PYTHONUNBUFFERED=1",
			"FUNCTION_SOURCE=" + filepath.Join(root, "e2e", "conformance", "functions", "python", "main.py"), "FUNCTION_TARGET=" + target}
		return cmd
	}},
	{name: "java", tool: "javac", command: func(t *testing.T, _ string) *exec.Cmd {
		classes := javaBuild.classes(t)
		cmd := exec.Command("java", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", classes, "dev.kiln.functions.Invoker")
		cmd.Env = []string{"FUNCTION_TARGET=conformance.Http"}
		return cmd
	}},
}

// javaBuild compiles the Java framework with the fixture once per test binary.
var javaBuild = &javaClasses{}

type javaClasses struct {
	once sync.Once
	dir  string
	err  error
}

func (j *javaClasses) classes(t *testing.T) string {
	t.Helper()
	j.once.Do(func() {
		root := repoRoot(t)
		if j.dir, j.err = os.MkdirTemp("", "kiln-conformance-java-"); j.err != nil {
			return
		}
		var srcs []string
		for _, dir := range []string{filepath.Join(root, "framework-templates", "java", "src", "main"), filepath.Join(root, "e2e", "conformance", "functions", "java", "src")} {
			filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
				if err == nil && strings.HasSuffix(p, ".java") {
					srcs = append(srcs, p)
				}
				return err
			})
		}
		out, err := exec.Command("javac", append([]string{"--release", "17", "-d", j.dir}, srcs...)...).CombinedOutput()
		if err != nil {
			j.err = fmt.Errorf("javac of the Java framework and fixture: %w\n%s", err, out)
		}
	})
	if j.err != nil {
		t.Fatal(j.err)
	}
	return j.dir
}

func (j *javaClasses) cleanup() {
	if j.dir != "" {
		os.RemoveAll(j.dir)
	}
}

// servingLine is the line each framework prints once it listens.
var servingLine = regexp.MustCompile(`serving .* on (?:port |\S*:)(\d+)`)

// start runs fw's process for signature with env (plus PORT=0) in a temp
// working directory and waits until it says it is serving.
func start(t *testing.T, fw framework, signature string, env map[string]string) Server {
	t.Helper()
	if fw.tool != "" {
		if _, err := exec.LookPath(fw.tool); err != nil {
			t.Skipf("%s is not on PATH: the %s framework cannot run here", fw.tool, fw.name)
		}
	}
	cmd := fw.command(t, signature)
	dir := t.TempDir()
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), cmd.Env...), "PORT=0", "FUNCTION_SIGNATURE_TYPE="+signature)
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting the %s framework: %v", fw.name, err)
	}
	w.Close()
	out := &lockedLog{}
	ports := make(chan int, 1)
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			out.add(sc.Text())
			if m := servingLine.FindStringSubmatch(sc.Text()); m != nil {
				p, _ := strconv.Atoi(m[1])
				select {
				case ports <- p:
				default:
				}
			}
		}
		r.Close()
	}()
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		select {
		case <-exited:
		default:
			cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("%s framework output:\n%s", fw.name, out)
		}
	})
	select {
	case port := <-ports:
		return Server{
			Target:    Target{URL: fmt.Sprintf("http://127.0.0.1:%d", port), OutputFile: filepath.Join(dir, conformancefn.OutputFile)},
			Terminate: func() error { return cmd.Process.Signal(syscall.SIGTERM) },
			Exited:    exited,
		}
	case <-exited:
		t.Fatalf("the %s framework exited before serving: %s\n%s", fw.name, cmd.ProcessState, out)
	case <-time.After(60 * time.Second):
		t.Fatalf("the %s framework did not say it was serving within 60 s:\n%s", fw.name, out)
	}
	return Server{}
}

// lockedLog keeps a process's output (the last 200 lines) for failure reports.
type lockedLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *lockedLog) add(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lines = append(l.lines, s); len(l.lines) > 200 {
		l.lines = l.lines[1:]
	}
}

func (l *lockedLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}
