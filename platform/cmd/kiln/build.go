package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"

	"github.com/google/go-containerregistry/pkg/v1/remote"

	"kiln.dev/kiln/platform/home"
	"kiln.dev/kiln/platform/lifecycle"
	"kiln.dev/kiln/platform/regclient"
	"kiln.dev/kiln/platform/registry"
	"kiln.dev/kiln/platform/sandbox"
)

// BuilderFor picks the builder for the source in dir (in the embedded
// registry): Go for go.mod, Node.js for package.json, index.js or
// function.js, Python for main.py or requirements.txt, else Go (whose
// detection failure explains what was expected).
func BuilderFor(dir string) string {
	has := func(f string) bool { _, err := os.Stat(filepath.Join(dir, f)); return err == nil }
	if !has("go.mod") && !has("package.json") && (has("pom.xml") || has(filepath.Join("src", "main", "java"))) {
		return "kiln/builder-java:latest"
	}
	if !has("go.mod") && !has("package.json") && (has("main.py") || has("requirements.txt")) {
		return "kiln/builder-python:latest"
	}
	for _, f := range []string{"package.json", "index.js", "function.js"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
				return "kiln/builder-node:latest"
			}
		}
	}
	return "kiln/builder-go:latest"
}

func runBuild(args []string) error {
	fs := newFlagSet("build", "build [DIR] [--target NAME] [--signature http|cloudevent|openfunction] [--builder REF] [--image REF] [--env K=V]... [--insecure-registry HOST:PORT]...")
	target := fs.String("target", "", "function to serve (sets FUNC_NAME); omit to build a plain program")
	signature := fs.String("signature", "", "function signature: http, cloudevent or openfunction (sets FUNC_SIGNATURE_TYPE; default: from the source)")
	builder := fs.String("builder", "", "builder image (default: picked from the source: kiln/builder-go or kiln/builder-node, in the embedded registry)")
	image := fs.String("image", "", "output image (default: the directory's name, in the embedded registry)")
	clearCache := fs.Bool("clear-cache", false, "start from an empty build cache")
	isolated := fs.Bool("isolated-cache", false, "keep toolchains and Go caches in this app's own CNB cache layers, not the machine-wide $KILN_HOME/deps")
	layoutDir := fs.String("layout", "", "export to an OCI image layout in this directory instead of the registry")
	regAddr := fs.String("registry-addr", "", "embedded registry address (default: remembered, else a free loopback port; env KILN_REGISTRY_ADDR)")
	var env envFlag
	fs.Var(&env, "env", "build-time env var K=V for the buildpacks (repeatable), e.g. --env BP_GO_VERSION=1.25.12")
	var hostPorts portsFlag
	fs.Var(&hostPorts, "allow-host-port", "let the build reach this host loopback port at 127.0.0.1:PORT (repeatable; a package mirror on the host). Reduces isolation: the build can talk to whatever listens there")
	var insecure listFlag
	fs.Var(&insecure, "insecure-registry", "registry (host:port) to push to or pull the builder from over plain HTTP (repeatable; loopback registries need not be named). Credentials come from the Docker config (docker login)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := regclient.ExportInsecure(insecure); err != nil {
		return usageError{err.Error()}
	}
	switch *signature {
	case "", "http", "cloudevent", "openfunction":
	default:
		return usageError{fmt.Sprintf("--signature %q: use http, cloudevent or openfunction", *signature)}
	}
	if len(pos) > 1 {
		return usageError{fmt.Sprintf("kiln build takes one directory, got %q", pos)}
	}
	// Say what is missing (subordinate ids, uidmap) before touching KILN_HOME.
	if _, err := sandbox.CurrentIDMap(); err != nil {
		return err
	}
	dir := "."
	if len(pos) == 1 {
		dir = pos[0]
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	if *image == "" {
		*image = imageName(abs)
	}
	if *builder == "" {
		*builder = BuilderFor(abs)
	}
	h := home.Default()
	reg, err := openRegistry(h, *regAddr)
	if err != nil {
		return err
	}
	defer reg.Close()
	if err := hostPorts.refuse(reg.Addr, "the embedded registry: builds never get it; kiln pushes the image itself"); err != nil {
		return err
	}
	buildEnv := env.Map()
	if *target != "" {
		buildEnv["FUNC_NAME"] = *target
	}
	if *signature != "" {
		buildEnv["FUNC_SIGNATURE_TYPE"] = *signature
	}
	for _, k := range []string{"GOPROXY", "GOSUMDB", "GONOSUMDB", "GOPRIVATE", "HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY"} {
		if v, ok := os.LookupEnv(k); ok {
			if _, set := buildEnv[k]; !set {
				buildEnv[k] = v
			}
		}
	}
	out := reg.Ref(*image)
	if *layoutDir != "" {
		if !registry.IsQualified(*image) {
			out = "kiln.local/" + strings.TrimPrefix(reg.Ref(*image), reg.Addr+"/")
		}
		if *layoutDir, err = filepath.Abs(*layoutDir); err != nil {
			return err
		}
		if err := os.MkdirAll(*layoutDir, 0o755); err != nil {
			return err
		}
	}
	fmt.Printf("==> Building %s from %s\n", out, abs)
	if len(buildEnv) > 0 {
		fmt.Printf("    env: %s\n", strings.Join(sortedKeys(buildEnv), " "))
	}
	if len(hostPorts.ports) > 0 {
		fmt.Printf("    host ports the build may reach: %s\n", hostPorts.String())
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	var push []remote.Option
	if strings.HasPrefix(out, reg.Addr+"/") { // the embedded registry: its write token
		push = reg.RemoteOptions()
	}
	// Other registries: the sandbox helper pulls the builder (and its run
	// image) with the Docker config's credentials, resolved here; kiln
	// pushes the image with them.
	var others []string
	for _, r := range []string{reg.Ref(*builder), out} {
		if !strings.HasPrefix(r, reg.Addr+"/") && (r != out || *layoutDir == "") {
			others = append(others, r)
		}
	}
	if err := regclient.ExportAuth(others...); err != nil {
		return err
	}
	res, err := lifecycle.Build(ctx, lifecycle.Options{
		AppDir: abs, Image: out, Builder: reg.Ref(*builder), Env: buildEnv, Home: h,
		SharedDeps: !*isolated, ClearCache: *clearCache, LayoutDir: *layoutDir, HostPorts: hostPorts.ports, Push: push, Out: os.Stdout,
	})
	if err != nil {
		return err
	}
	fmt.Print(res.Summary())
	if res.Layout != "" {
		fmt.Printf("    push it:    crane push %s REGISTRY/%s\n", res.Layout, *image)
		return nil
	}
	fmt.Printf("    run it:     kiln run %s\n", *image)
	return nil
}

var nonName = regexp.MustCompile(`[^a-z0-9._-]+`)

// imageName derives a repository name from a directory.
func imageName(dir string) string {
	n := strings.Trim(nonName.ReplaceAllString(strings.ToLower(filepath.Base(dir)), "-"), "-._")
	if n == "" {
		n = "app"
	}
	return n
}

func ensure(dir string) string {
	os.MkdirAll(dir, 0o755)
	return dir
}
