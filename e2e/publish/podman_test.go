package publish

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// podman is Podman's Docker-API service under the suite's own directories:
// storage (kept under KILN_E2E_HOME so pack's cache volumes and pulled
// layers survive between runs), containers.conf, registries.conf and the
// test CA in $HOME/.config/containers/certs.d. The machine's /etc/containers
// is never touched.
type podman struct {
	// sock is Podman's own service (the podman CLI's --url); dockerSock the
	// wait shim in front of it that pack uses as its Docker daemon.
	dir, sock, dockerSock string
	env                   []string
	cmd                   *exec.Cmd
}

// pruneEarlierRuns empties the image storage once per run.
var pruneEarlierRuns sync.Once

func startPodman(t *testing.T) *podman {
	t.Helper()
	if _, err := exec.LookPath("podman"); err != nil {
		t.Fatal("podman is required (apt-get install podman runc fuse-overlayfs slirp4netns netavark aardvark-dns golang-github-containers-common)")
	}
	store := filepath.Join(suite.home, "podman")
	run := filepath.Join(suite.work, "podman-run")
	home := filepath.Join(suite.work, "podman-home")
	certs := filepath.Join(home, ".config", "containers", "certs.d", suite.reg.Addr)
	for _, d := range []string{store, run, certs} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	ca, _ := os.ReadFile(suite.ca.CAFile)
	files := map[string]string{
		filepath.Join(certs, "ca.crt"):     string(ca),
		filepath.Join(run, "storage.conf"): fmt.Sprintf("[storage]\ndriver = \"overlay\"\nrunroot = %q\ngraphroot = %q\n", filepath.Join(run, "runroot"), filepath.Join(store, "graph")),
		// crun rejects this VM's hybrid cgroups; podman's default rlimits need
		// CAP_SYS_RESOURCE, which the VM lacks; netavark's bridge cannot be set
		// up here, so containers use the host network.
		filepath.Join(run, "containers.conf"): "[containers]\ndefault_ulimits = [\"nofile=4096:4096\", \"nproc=4096:4096\"]\nnetns = \"host\"\n[engine]\nruntime = \"runc\"\ncgroup_manager = \"cgroupfs\"\nevents_logger = \"file\"\n",
		filepath.Join(run, "registries.conf"): fmt.Sprintf("unqualified-search-registries = []\n[[registry]]\nlocation = %q\ninsecure = true\n", suite.mirror.Addr),
	}
	for p, body := range files {
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p := &podman{dir: run, sock: filepath.Join(run, "podman.sock"), dockerSock: filepath.Join(run, "docker.sock")}
	p.env = append(os.Environ(), "HOME="+home, "XDG_RUNTIME_DIR="+run, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"CONTAINERS_STORAGE_CONF="+filepath.Join(run, "storage.conf"), "CONTAINERS_CONF="+filepath.Join(run, "containers.conf"),
		"CONTAINERS_REGISTRIES_CONF="+filepath.Join(run, "registries.conf"), "REGISTRY_AUTH_FILE="+filepath.Join(run, "auth.json"))
	os.WriteFile(filepath.Join(run, "auth.json"), []byte(fmt.Sprintf(`{"auths":{%q:{"auth":%q}}}`, suite.reg.Addr, basicAuth())), 0o600)
	p.cmd = exec.Command("podman", "system", "service", "--time=0", "unix://"+p.sock)
	p.cmd.Env = p.env
	var logs bytes.Buffer
	p.cmd.Stdout, p.cmd.Stderr = &logs, &logs
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.stop)
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", p.sock)
	}}}
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := client.Get("http://d/_ping")
		if err == nil {
			resp.Body.Close()
			startWaitShim(t, p.sock, p.dockerSock)
			pruneEarlierRuns.Do(func() {
				// The storage lives in the suite's home across runs; every
				// image in it names an earlier run's registry (a new port
				// each run), which is gone, and pack's cache volumes are
				// keyed by those builders. Without this it grew by about
				// 2 GB a run (six copies of every builder, 5.7 GB of volumes).
				for _, prune := range [][]string{{"image", "prune", "--all", "--force"}, {"volume", "prune", "--force"}} {
					if out, err := p.podman(append([]string{"--url", "unix://" + p.sock}, prune...)...); err != nil {
						t.Logf("podman %v: %v %s", prune, err, out)
					}
				}
			})
			return p
		}
		if time.Now().After(deadline) {
			t.Fatalf("podman service did not answer on %s within 60s: %v\n%s", p.sock, err, logs.String())
		}
		time.Sleep(50 * time.Millisecond) // polling the service's start, bounded by the deadline
	}
}

// stop ends the service and every container it started.
func (p *podman) stop() {
	exec.Command("podman", "--url", "unix://"+p.sock, "rm", "-af", "-t", "1").Run()
	if p.cmd.Process != nil {
		syscall.Kill(-p.cmd.Process.Pid, syscall.SIGTERM)
		done := make(chan struct{})
		go func() { p.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
	}
}

// podman runs the podman CLI against this service's storage.
func (p *podman) podman(args ...string) (string, error) {
	c := exec.Command("podman", args...)
	c.Env = p.env
	out, err := c.CombinedOutput()
	return string(out), err
}

// pack runs pack with this podman as its Docker daemon.
func (p *podman) pack(args ...string) (string, error) {
	c := exec.Command(filepath.Join(suite.tools, "pack-v0.40.9", "pack"), args...)
	c.Dir = suite.repo
	c.Env = append(os.Environ(), "DOCKER_HOST=unix://"+p.dockerSock, "PACK_HOME="+filepath.Join(p.dir, "pack-home"),
		"DOCKER_CONFIG="+suite.dockerConfig, "SSL_CERT_FILE="+suite.sslCertFile)
	var out bytes.Buffer
	c.Stdout, c.Stderr = &out, &out
	err := c.Run()
	return out.String(), err
}

func basicAuth() string {
	return base64Std(user + ":" + password)
}

// serve runs image on the host network with PORT=port and waits until it
// answers GET path; the container is removed when the test ends.
func (p *podman) serve(t *testing.T, image string, port int, path string) string {
	t.Helper()
	name := fmt.Sprintf("kiln-e2e-%d", port)
	out, err := p.podman("--url", "unix://"+p.sock, "run", "-d", "--name", name, "--network", "host", "-e", fmt.Sprintf("PORT=%d", port), image)
	if err != nil {
		t.Fatalf("podman run %s: %v\n%s", image, err, out)
	}
	t.Cleanup(func() { p.podman("--url", "unix://"+p.sock, "rm", "-f", "-t", "2", name) })
	url := fmt.Sprintf("http://127.0.0.1:%d%s", port, path)
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(url)
		if err == nil {
			var b bytes.Buffer
			b.ReadFrom(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return strings.TrimSpace(b.String())
			}
		}
		if time.Now().After(deadline) {
			logs, _ := p.podman("--url", "unix://"+p.sock, "logs", name)
			t.Fatalf("%s did not answer 200 within 60s: %v\n%s", url, err, logs)
		}
		time.Sleep(50 * time.Millisecond) // polling the container's start, bounded by the deadline
	}
}
