package publish

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"kiln.dev/kiln/e2e/kiln"
)

const binfmtDir = "/proc/sys/fs/binfmt_misc"

// enableArm64Emulation registers Debian's qemu-user-static for aarch64 ELF
// binaries with binfmt_misc (flags OPF: the interpreter is opened now, so it
// also works inside containers) unless it already is, and undoes exactly
// what it did when the test ends.
func enableArm64Emulation(t *testing.T) {
	t.Helper()
	conf, err := os.ReadFile("/usr/lib/binfmt.d/qemu-aarch64.conf")
	if err != nil {
		t.Fatalf("qemu-user-static is required for the arm64 test (apt-get install qemu-user-static): %v", err)
	}
	if _, err := os.Stat(filepath.Join(binfmtDir, "register")); err != nil {
		if err := syscall.Mount("binfmt_misc", binfmtDir, "binfmt_misc", 0, ""); err != nil {
			t.Fatalf("this kernel does not let binfmt_misc be mounted (%v): arm64 images cannot run here", err)
		}
		t.Cleanup(func() { syscall.Unmount(binfmtDir, 0) })
	}
	entry := filepath.Join(binfmtDir, "qemu-aarch64")
	if _, err := os.Stat(entry); err == nil {
		return
	}
	var line string
	for _, l := range strings.Split(string(conf), "\n") {
		if strings.HasPrefix(l, ":qemu-aarch64:") {
			line = l
		}
	}
	if err := os.WriteFile(filepath.Join(binfmtDir, "register"), []byte(line), 0o200); err != nil {
		t.Fatalf("registering qemu-aarch64 with binfmt_misc: %v", err)
	}
	t.Cleanup(func() { os.WriteFile(entry, []byte("-1"), 0o200) })
}

// An arm64 Go function image: pack builds samples/go/hello for linux/arm64
// with the published multi-arch builder (its arm64 lifecycle and buildpacks
// run under qemu-user), and the image runs under qemu-user and answers.
func TestArm64GoFunctionRunsUnderQemu(t *testing.T) {
	published(t)
	if !strings.Contains(suite.platforms, "linux/arm64") {
		t.Skipf("KILN_E2E_PUBLISH_PLATFORMS=%s: no arm64 builder was published", suite.platforms)
	}
	enableArm64Emulation(t)
	p := startPodman(t)
	image := "kiln-e2e.local/hello-arm64"
	start := time.Now()
	out, err := p.pack(append([]string{"build", image, "--platform", "linux/arm64", "--path", "samples/go/hello", "--env", "FUNC_NAME=HelloWorld"},
		buildArgs(suite.reg.Addr+"/kiln/builder-go:"+version)...)...)
	if err != nil {
		t.Fatalf("pack build --platform linux/arm64: %v\n%s", err, out)
	}
	t.Logf("pack build for linux/arm64 under qemu: %s", time.Since(start).Round(time.Second))
	arch, err := p.podman("--url", "unix://"+p.sock, "image", "inspect", "--format", "{{.Architecture}}", image)
	if err != nil || strings.TrimSpace(arch) != "arm64" {
		t.Fatalf("image architecture %q (%v)", arch, err)
	}
	port, err := kiln.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	if got := p.serve(t, image, port, "/?name=Kiln"); got != "Hello, Kiln!" {
		t.Fatalf("arm64 image answers %q", got)
	}
}
