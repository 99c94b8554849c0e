package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDeployErrors: kiln deploy's usage errors exit 2 and its user errors 1,
// each saying what to type or set; stdout stays empty.
func TestDeployErrors(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(kubeconfig, []byte("apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: \"http://127.0.0.1:1\"}}]\n"+
		"contexts: [{name: c, context: {cluster: c}}]\ncurrent-context: c\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"deploy"}, exitUsage, "kiln deploy takes one directory (or --git URL): kiln deploy DIR --target F"},
		{[]string{"deploy", dir, "--git", "https://git.example/fns.git", "-t", "F"}, exitUsage, "kiln deploy: --git URL and a directory (" + dir + ") are mutually exclusive"},
		{[]string{"deploy", dir, "-t", "F", "--revision", "main"}, exitUsage, "--revision, --context-dir and --git-secret go with --git URL"},
		{[]string{"deploy", "--git", "https://git.example/fns.git"}, exitUsage, "kiln deploy: --target F is required"},
		{[]string{"deploy", "--git", "git@github.com:team/fns.git", "-t", "F"}, exitUsage, "SSH URLs are not supported"},
		{[]string{"deploy", "--git", "http://git.example/fns.git", "-t", "F", "--git-secret", "creds"}, exitUsage, "over https only"},
		{[]string{"deploy", "--git", "https://git.example/fns.git", "-t", "F", "--context-dir", "../up"}, exitUsage, `--context-dir "../up"`},
		{[]string{"deploy", "--git", "https://git.example/fns.git", "-t", "F"}, 1, "no registry: pass --registry REGISTRY (or set KILN_REGISTRY)"},
		{[]string{"deploy", dir}, exitUsage, "kiln deploy: --target F is required"},
		{[]string{"deploy", dir, "-t", "F", "--language", "node"}, exitUsage, `--language "node": want one of go, java, nodejs, python`},
		{[]string{"deploy", dir, "-t", "F", "--name", "Hello_World"}, exitUsage, `--name "Hello_World": want lowercase letters`},
		{[]string{"deploy", dir, "-t", "F", "--registry", "r:5000", "--insecure-registry", "http://r:5000"}, exitUsage, `--insecure-registry "http://r:5000": name the registry as host or host:port`},
		{[]string{"deploy", dir, "-t", "F"}, 1, "no registry: pass --registry REGISTRY (or set KILN_REGISTRY)"},
		{[]string{"deploy", dir, "-t", "F", "--registry", "127.0.0.1:1", "--kubeconfig", kubeconfig}, 1, "127.0.0.1:1"},
		{[]string{"deploy", dir, "-t", "F", "--kubeconfig", kubeconfig, "--registry", "http://r:5000"}, 1, `--registry "http://r:5000": want host[:port][/path], no scheme`},
		{[]string{"deploy", dir, "-t", "F", "--registry", "r:5000", "--kubeconfig", filepath.Join(dir, "none")}, 1, "no cluster:"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			t.Setenv("KILN_REGISTRY", "")
			r := runCLI(t, tc.args...)
			if r.code != tc.code || !strings.Contains(r.stderr, tc.want) || r.stdout != "" {
				t.Errorf("exit %d, want %d; stdout %q; stderr:\n%s\nwant %q", r.code, tc.code, r.stdout, r.stderr, tc.want)
			}
		})
	}
}
