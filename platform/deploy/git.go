package deploy

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path"
	"regexp"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/validation"

	"kiln.dev/kiln/controller/render"
	"kiln.dev/kiln/platform/buildrequest"
)

// GitSource is kiln deploy --git: the Function builds from a Git
// repository its build pod clones (Shipwright's git source), not from a
// directory of this machine.
type GitSource struct {
	URL string
	// Revision is a branch, tag or commit; "" = the remote's HEAD.
	Revision string
	// ContextDir is the function's directory in the repository.
	ContextDir string
	// Secret names the clone secret (a kubernetes.io/basic-auth Secret in
	// the Function's namespace): spec.build.srcRepo.credentials.
	Secret string
}

var (
	scpLikeURL = regexp.MustCompile(`^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:`)
	fullCommit = regexp.MustCompile(`^[0-9a-f]{40}$`)
)

// CheckGitSource says whether the cluster's clone step can take g: an
// http(s):// or git:// URL (the step's image has no ssh), a context dir
// inside the repository, a secret only over https (Shipwright sends
// basic-auth credentials over nothing else).
func CheckGitSource(g GitSource) error {
	if scpLikeURL.MatchString(g.URL) || strings.HasPrefix(g.URL, "ssh://") || strings.HasPrefix(g.URL, "git+ssh://") {
		return fmt.Errorf("--git %q: SSH URLs are not supported (the cluster's clone step has no ssh): use the repository's https:// URL, with --git-secret for credentials", g.URL)
	}
	u, err := url.Parse(g.URL)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "git") {
		return fmt.Errorf("--git %q: want an http://, https:// or git:// URL of a repository the cluster's build pods reach, e.g. https://github.com/team/functions.git", g.URL)
	}
	if u.User != nil {
		return fmt.Errorf("--git %q: credentials in the URL would be stored in the Function: put them in a kubernetes.io/basic-auth Secret and pass --git-secret NAME", u.Redacted())
	}
	if strings.ContainsAny(g.Revision, " \t\n~^:?*[\\") || strings.HasPrefix(g.Revision, "-") {
		return fmt.Errorf("--revision %q: want a branch, tag or commit", g.Revision)
	}
	if d := g.ContextDir; d != "" {
		if path.IsAbs(d) || strings.Contains(d, "\\") || path.Clean(d) == ".." || strings.HasPrefix(path.Clean(d), "../") {
			return fmt.Errorf("--context-dir %q: want a directory of the repository, relative to its root (e.g. functions/hello)", d)
		}
	}
	if g.Secret != "" {
		if errs := validation.IsDNS1123Subdomain(g.Secret); len(errs) > 0 {
			return fmt.Errorf("--git-secret %q: want the name of a Secret in the Function's namespace: %s", g.Secret, strings.Join(errs, "; "))
		}
		if u.Scheme != "https" {
			return fmt.Errorf("--git-secret with %s://: Shipwright sends a clone secret's username and password over https only", u.Scheme)
		}
	}
	return nil
}

// contextDir is g's context dir as spec.build.srcRepo.sourceSubPath
// ("" for the repository's root).
func (g GitSource) contextDir() string {
	if g.ContextDir == "" {
		return ""
	}
	d := path.Clean(g.ContextDir)
	if d == "." {
		return ""
	}
	return d
}

// GitName is the Function name a repository URL gives: its last path
// element without .git (and the context dir's, when there is one), as
// kiln build names an image after its directory.
func GitName(rawURL, contextDir string) string {
	if d := path.Clean(contextDir); contextDir != "" && d != "." {
		return nameOf(path.Base(d))
	}
	u, err := url.Parse(rawURL)
	p := rawURL
	if err == nil {
		p = u.Path
	}
	return nameOf(strings.TrimSuffix(path.Base(strings.TrimSuffix(p, "/")), ".git"))
}

var nonLabel = regexp.MustCompile(`[^a-z0-9-]+`)

func nameOf(s string) string {
	n := strings.Trim(nonLabel.ReplaceAllString(strings.ToLower(s), "-"), "-")
	if len(n) > 50 {
		n = strings.TrimRight(n[:50], "-")
	}
	if n == "" {
		return "function"
	}
	return n
}

// Pinned is what a revision named when it was resolved.
type Pinned struct {
	Commit string // 40 hex digits
	Ref    string // refs/heads/main, refs/tags/v1, HEAD; "" for a commit given as is
}

// PickRef finds rev ("" = HEAD) in `git ls-remote` output (one "SHA\tREF"
// a line) as git itself would: the exact ref, then refs/tags/REV (the
// commit an annotated tag points at, its ^{} line), then refs/heads/REV.
func PickRef(lsRemote, rev string) (Pinned, error) {
	refs := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(lsRemote), "\n") {
		sha, ref, ok := strings.Cut(strings.TrimSpace(l), "\t")
		if !ok || !fullCommit.MatchString(sha) || ref == "" {
			continue
		}
		refs[ref] = sha
	}
	want := rev
	if want == "" {
		want = "HEAD"
	}
	for _, ref := range []string{want, "refs/" + want, "refs/tags/" + want, "refs/heads/" + want} {
		if strings.HasPrefix(ref, "refs/refs/") {
			continue
		}
		if sha, ok := refs[ref+"^{}"]; ok {
			return Pinned{Commit: sha, Ref: ref}, nil
		}
		if sha, ok := refs[ref]; ok {
			return Pinned{Commit: sha, Ref: ref}, nil
		}
	}
	if rev == "" {
		return Pinned{}, fmt.Errorf("the repository has no HEAD (an empty repository?): pass --revision BRANCH")
	}
	return Pinned{}, fmt.Errorf("no branch or tag %q in the repository", rev)
}

// ResolveRevision pins g's revision to the commit it names now, asking the
// repository from this machine (git ls-remote, no prompts, 30 s): so a
// second deploy after a push builds the new commit. A full commit is
// taken as is.
func ResolveRevision(ctx context.Context, g GitSource) (Pinned, error) {
	if fullCommit.MatchString(g.Revision) {
		return Pinned{Commit: g.Revision}, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	pattern := g.Revision
	if pattern == "" {
		pattern = "HEAD"
	}
	// The ^{} pattern lists the commit an annotated tag points at.
	cmd := exec.CommandContext(ctx, "git", "ls-remote", "--", g.URL, pattern, pattern+"^{}")
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0", "GIT_ASKPASS=true", "SSH_ASKPASS=true")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(errb.String())
		if ctx.Err() != nil {
			msg = "no answer in 30 s"
		}
		return Pinned{}, fmt.Errorf("git ls-remote %s %s: %v: %s", g.URL, pattern, err, lastLine(msg))
	}
	return PickRef(out.String(), g.Revision)
}

func lastLine(s string) string {
	if i := strings.LastIndex(s, "\n"); i >= 0 {
		return s[i+1:]
	}
	return s
}

// gitSpec is the Function's build from o.Git: named after the repository
// (or the context dir), the language given or go (there is no checkout
// here to detect it from), the build env of --env and --target, and the
// revision pinned to its commit when this machine reaches the repository.
func gitSpec(ctx context.Context, o Options, progress func(Phase)) (Spec, error) {
	g := *o.Git
	if err := CheckGitSource(g); err != nil {
		return Spec{}, err
	}
	name := o.Name
	if name == "" {
		name = GitName(g.URL, g.ContextDir)
	}
	if err := CheckName(name); err != nil {
		return Spec{}, err
	}
	env, err := buildEnv(o.Env, o.Target)
	if err != nil {
		return Spec{}, err
	}
	lang := o.Language
	if lang == "" {
		lang = render.LanguageGo
		progress(Phase{Step: StepSource, Message: "language go (the default for --git: pass --language for another)"})
	}
	asked := orDefault(g.Revision, "HEAD")
	if p, err := ResolveRevision(ctx, g); err != nil {
		progress(Phase{Step: StepSource, Message: fmt.Sprintf("%s not resolved here (%v): the build clones %s as given, and deploying it again does not rebuild", asked, err, asked)})
	} else {
		if p.Ref != "" {
			progress(Phase{Step: StepSource, Message: fmt.Sprintf("%s is %s (%s) at %s", asked, p.Commit, p.Ref, g.URL)})
		}
		g.Revision = p.Commit
	}
	return Spec{Name: name, Git: &g, Language: lang, Env: env}, nil
}

// buildEnv is --env (KEY=VALUE each) with FUNC_NAME=target.
func buildEnv(kvs []string, target string) (map[string]string, error) {
	env := map[string]string{}
	if err := buildrequest.SetFlagEnv(env, kvs, target); err != nil {
		return nil, err
	}
	return env, nil
}
