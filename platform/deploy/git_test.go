package deploy

import (
	"context"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"kiln.dev/kiln/controller/render"
)

func TestCheckGitSource(t *testing.T) {
	for _, c := range []struct {
		g    GitSource
		want string // "" = accepted
	}{
		{GitSource{URL: "https://github.com/team/fns.git"}, ""},
		{GitSource{URL: "http://172.31.254.1:8080/hello.git", Revision: "v1.2", ContextDir: "fns/hello"}, ""},
		{GitSource{URL: "git://git.example/hello.git", Revision: "feature/x"}, ""},
		{GitSource{URL: "https://git.example/hello.git", Secret: "git-creds"}, ""},
		{GitSource{URL: "https://git.example/hello", ContextDir: "./a/../b/"}, ""},
		{GitSource{URL: "git@github.com:team/fns.git"}, "SSH URLs are not supported"},
		{GitSource{URL: "ssh://git@github.com/team/fns.git"}, "SSH URLs are not supported"},
		{GitSource{URL: "file:///srv/fns.git"}, "want an http://, https:// or git:// URL"},
		{GitSource{URL: "/srv/fns.git"}, "want an http://, https:// or git:// URL"},
		{GitSource{URL: "https://"}, "want an http://, https:// or git:// URL"},
		{GitSource{URL: "https://me:s3cret@git.example/x.git"}, "credentials in the URL"},
		{GitSource{URL: "https://git.example/x.git", Revision: "--upload-pack=x"}, `--revision "--upload-pack=x"`},
		{GitSource{URL: "https://git.example/x.git", Revision: "main~1"}, "want a branch, tag or commit"},
		{GitSource{URL: "https://git.example/x.git", ContextDir: "/abs"}, "--context-dir \"/abs\""},
		{GitSource{URL: "https://git.example/x.git", ContextDir: "a/../../b"}, "relative to its root"},
		{GitSource{URL: "https://git.example/x.git", ContextDir: ".."}, "relative to its root"},
		{GitSource{URL: "https://git.example/x.git", Secret: "Bad_Name"}, "--git-secret \"Bad_Name\""},
		{GitSource{URL: "http://git.example/x.git", Secret: "creds"}, "over https only"},
	} {
		err := CheckGitSource(c.g)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%+v: %v, want accepted", c.g, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%+v: %v, want %q", c.g, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "s3cret") {
			t.Errorf("the error shows the password: %v", err)
		}
	}
}

func TestGitName(t *testing.T) {
	for _, c := range []struct{ url, dir, want string }{
		{"http://172.31.254.1:8080/hello.git", "", "hello"},
		{"https://github.com/Team/My_Functions.git/", "", "my-functions"},
		{"https://git.example/fns", "go/Hello World", "hello-world"},
		{"https://git.example/fns.git", ".", "fns"},
		{"https://git.example/", "", "function"},
		{"https://git.example/" + strings.Repeat("a", 60) + ".git", "", strings.Repeat("a", 50)},
	} {
		if got := GitName(c.url, c.dir); got != c.want {
			t.Errorf("GitName(%q, %q) = %q, want %q", c.url, c.dir, got, c.want)
		}
		if err := CheckName(GitName(c.url, c.dir)); err != nil {
			t.Errorf("GitName(%q, %q) is no Function name: %v", c.url, c.dir, err)
		}
	}
}

func TestPickRef(t *testing.T) {
	const (
		a = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		b = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
		c = "cccccccccccccccccccccccccccccccccccccccc"
		d = "dddddddddddddddddddddddddddddddddddddddd"
	)
	out := a + "\tHEAD\n" + a + "\trefs/heads/main\n" + b + "\trefs/heads/v1\n" +
		c + "\trefs/tags/v1\n" + d + "\trefs/tags/v1^{}\n" + b + "\trefs/tags/light\n" +
		"garbage line\n" + "123\trefs/heads/short\n"
	for _, tc := range []struct {
		rev  string
		want Pinned
		err  string
	}{
		{"", Pinned{a, "HEAD"}, ""},
		{"main", Pinned{a, "refs/heads/main"}, ""},
		{"refs/heads/main", Pinned{a, "refs/heads/main"}, ""},
		{"heads/main", Pinned{a, "refs/heads/main"}, ""},
		// A tag wins over a branch of the same name (as git rev-parse);
		// an annotated tag is the commit it points at.
		{"v1", Pinned{d, "refs/tags/v1"}, ""},
		{"light", Pinned{b, "refs/tags/light"}, ""},
		{"short", Pinned{}, `no branch or tag "short"`},
		{"nope", Pinned{}, `no branch or tag "nope"`},
	} {
		got, err := PickRef(out, tc.rev)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("PickRef(%q) = %+v, %v; want %q", tc.rev, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("PickRef(%q) = %+v, %v; want %+v", tc.rev, got, err, tc.want)
		}
	}
	if _, err := PickRef("", ""); err == nil || !strings.Contains(err.Error(), "no HEAD") {
		t.Errorf("an empty repository: %v", err)
	}
}

// TestFunctionFromGit: kiln deploy --git applies a valid Function whose
// Shipwright Build clones the repository at the revision, in the context
// dir, with the clone secret.
func TestFunctionFromGit(t *testing.T) {
	f := Function(Spec{Name: "hello", Namespace: "team", Image: "reg.example:5000/hello", Language: "go",
		Git:   &GitSource{URL: "https://git.example/fns.git", Revision: "0123456789abcdef0123456789abcdef01234567", ContextDir: "go/hello/", Secret: "git-creds"},
		Env:   map[string]string{"FUNC_NAME": "HelloWorld"},
		Route: true})
	got, err := yaml.Marshal(f.Spec.Build)
	if err != nil {
		t.Fatal(err)
	}
	want := `env:
  FUNC_NAME: HelloWorld
language: go
srcRepo:
  credentials:
    name: git-creds
  revision: 0123456789abcdef0123456789abcdef01234567
  sourceSubPath: go/hello
  url: https://git.example/fns.git
`
	if string(got) != want {
		t.Fatalf("spec.build:\n%s\nwant:\n%s", got, want)
	}
	d := f.DeepCopy()
	d.Default()
	if errs := d.Validate(); len(errs) > 0 {
		t.Fatal(errs.ToAggregate())
	}
	b, _, err := render.Build(d, render.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	s := b.Spec.Source
	if s == nil || s.Git == nil || s.OCIArtifact != nil || s.Git.URL != "https://git.example/fns.git" || *s.Git.Revision != "0123456789abcdef0123456789abcdef01234567" ||
		*s.ContextDir != "go/hello" || *s.Git.CloneSecret != "git-creds" {
		t.Errorf("Build source %+v", s)
	}

	// Without revision, context dir or secret, none is set.
	f = Function(Spec{Name: "hello", Namespace: "team", Image: "r/hello", Language: "go", Git: &GitSource{URL: "https://git.example/fns.git", ContextDir: "."}})
	if r := f.Spec.Build.SrcRepo; r.Revision != nil || r.SourceSubPath != nil || r.Credentials != nil || r.BundleContainer != nil {
		t.Errorf("srcRepo %+v, want the URL only", r)
	}
}

// gitServer serves the bare repositories under root over Git's smart HTTP
// protocol (git http-backend as a CGI program), as a Git host does.
func gitServer(t *testing.T, root string) *httptest.Server {
	t.Helper()
	execPath, err := exec.Command("git", "--exec-path").Output()
	if err != nil {
		t.Skip("git is not installed")
	}
	srv := httptest.NewServer(&cgi.Handler{
		Path: filepath.Join(strings.TrimSpace(string(execPath)), "git-http-backend"),
		Env:  []string{"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1"},
	})
	t.Cleanup(srv.Close)
	return srv
}

// git runs git in dir and returns its trimmed output.
func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=kiln", "-c", "user.email=kiln@kiln.dev", "-c", "init.defaultBranch=main"}, args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// gitSpec pins the revision to the commit the served repository has for
// it now, names the Function after the repository, and passes a revision
// it cannot resolve as given.
func TestGitSpec(t *testing.T) {
	root := t.TempDir()
	work := filepath.Join(t.TempDir(), "work")
	if err := os.MkdirAll(work, 0o755); err != nil {
		t.Fatal(err)
	}
	git(t, work, "init", "-q")
	if err := os.WriteFile(filepath.Join(work, "go.mod"), []byte("module example.com/hello\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	git(t, work, "add", ".")
	git(t, work, "commit", "-qm", "first")
	first := git(t, work, "rev-parse", "HEAD")
	git(t, work, "tag", "-a", "v1", "-m", "v1")
	git(t, work, "commit", "-q", "--allow-empty", "-m", "second")
	second := git(t, work, "rev-parse", "HEAD")
	git(t, root, "clone", "-q", "--bare", work, filepath.Join(root, "hello.git"))
	srv := gitServer(t, root)
	url := srv.URL + "/hello.git"

	for _, c := range []struct {
		name, rev, want, phase string
	}{
		{"HEAD", "", second, "HEAD is " + second + " (HEAD) at " + url},
		{"branch", "main", second, "main is " + second + " (refs/heads/main)"},
		{"annotated tag", "v1", first, "v1 is " + first + " (refs/tags/v1)"},
		{"full commit", first, first, ""},
		{"unknown branch", "nope", "nope", "nope not resolved here"},
	} {
		var phases []string
		s, err := gitSpec(context.Background(), Options{Git: &GitSource{URL: url, Revision: c.rev}, Target: "HelloWorld", Env: []string{"GOPROXY=off"}},
			func(p Phase) { phases = append(phases, p.Message) })
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if s.Git.Revision != c.want || s.Name != "hello" || s.Language != "go" || s.Env["FUNC_NAME"] != "HelloWorld" || s.Env["GOPROXY"] != "off" {
			t.Errorf("%s: spec %+v (revision %s), want revision %s", c.name, s, s.Git.Revision, c.want)
		}
		if c.phase != "" && !strings.Contains(strings.Join(phases, "\n"), c.phase) {
			t.Errorf("%s: phases %q, want %q", c.name, phases, c.phase)
		}
	}
	// A server that is not there: the build clones what was asked.
	srv.Close()
	var phases []string
	s, err := gitSpec(context.Background(), Options{Git: &GitSource{URL: url, Revision: "main"}, Target: "F", Language: "python"},
		func(p Phase) { phases = append(phases, p.Message) })
	if err != nil || s.Git.Revision != "main" || s.Language != "python" || !strings.Contains(strings.Join(phases, "\n"), "main not resolved here (git ls-remote "+url) {
		t.Errorf("unreachable repository: %+v %v; phases %q", s, err, phases)
	}
	for _, o := range []Options{
		{Git: &GitSource{URL: "git@github.com:a/b.git"}},
		{Git: &GitSource{URL: url}, Name: "Bad_Name"},
		{Git: &GitSource{URL: url}, Env: []string{"NOEQUALS"}},
	} {
		if _, err := gitSpec(context.Background(), o, func(Phase) {}); err == nil {
			t.Errorf("%+v: accepted", o)
		}
	}
}
