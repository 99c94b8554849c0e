// Command mutate runs mutation testing (go-gremlins) over the packages whose
// tests hold the README's promises, prints every mutant the tests let live,
// and ends with one line per package and a total:
//
//	mutation score: NN% (killed K, timed out T, lived L, not covered N) PKG
//	mutation score: NN% total
//
// The score is (killed + timed out) / (killed + timed out + lived); mutants
// no test reaches ("not covered") are listed and counted apart, since no test
// can kill them. With -min, a package under the goal fails the run (exit 1).
//
// Usage: go run ./e2e/mutate [-fast] [-min 80] [-workers 1] [DIR...]
// DIRs are package directories relative to the repository root; default: the
// issue's list (controller, platform/registry, platform/imagefs,
// buildpacks/internal/goproxy, the Go framework's funccontext, cloudevents and
// funcframework). -fast runs a CI-sized subset of mutators over a subset of
// packages.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// Packages is the default list: the packages the README's guarantees rest on.
var Packages = []string{
	"controller/api/v1alpha1", "controller/render", "controller/reconciler", "controller/convert",
	"platform/registry", "platform/imagefs", "buildpacks/internal/goproxy",
	"framework-templates/go/funccontext", "framework-templates/go/cloudevents", "framework-templates/go/funcframework",
}

// FastPackages is what CI runs: small packages whose tests are quick, so each
// mutant costs seconds (about 1.5 CPU-minutes for both on a 2-core machine;
// controller/render alone took longer than the whole CI budget allows).
var FastPackages = []string{
	"buildpacks/internal/goproxy", "framework-templates/go/funccontext",
}

func main() {
	fast := flag.Bool("fast", false, "CI subset: fewer packages, default mutators only")
	minScore := flag.Float64("min", 0, "fail (exit 1) when a package scores below this percentage")
	workers := flag.Int("workers", 1, "gremlins workers (mutants tested at once)")
	coeff := flag.Int("timeout-coefficient", 10, "gremlins timeout coefficient (a mutant's tests may take this many times the clean run)")
	gremlins := flag.String("gremlins", "", "gremlins binary (default: $KILN_HOME/gotools/gremlins, else gremlins on PATH)")
	flag.Parse()
	root, err := repoRoot()
	if err != nil {
		fail(err)
	}
	bin, err := findGremlins(*gremlins)
	if err != nil {
		fail(err)
	}
	dirs := flag.Args()
	if len(dirs) == 0 {
		dirs = Packages
		if *fast {
			dirs = FastPackages
		}
	}
	var total Tally
	var low []string
	var lines []string
	for _, d := range dirs {
		t, lived, err := run(bin, root, d, *workers, *coeff, !*fast)
		if err != nil {
			fail(err)
		}
		for _, m := range lived {
			fmt.Println("LIVED", m)
		}
		total.Add(t)
		lines = append(lines, fmt.Sprintf("mutation score: %s %s", t, d))
		if *minScore > 0 && t.Score() < *minScore {
			low = append(low, fmt.Sprintf("%s %.0f%% < %.0f%%", d, t.Score(), *minScore))
		}
	}
	for _, l := range lines {
		fmt.Println(l)
	}
	fmt.Printf("mutation score: %.0f%% total\n", total.Score())
	if len(low) > 0 {
		fmt.Fprintln(os.Stderr, "mutate: below the goal:", strings.Join(low, "; "))
		os.Exit(1)
	}
}

// Tally counts mutants by outcome.
type Tally struct{ Killed, TimedOut, Lived, NotCovered, NotViable int }

// Add adds o's counts to t.
func (t *Tally) Add(o Tally) {
	t.Killed += o.Killed
	t.TimedOut += o.TimedOut
	t.Lived += o.Lived
	t.NotCovered += o.NotCovered
	t.NotViable += o.NotViable
}

// Score is (killed + timed out) / (killed + timed out + lived), in percent;
// 100 when no covered mutant exists.
func (t Tally) Score() float64 {
	dead := t.Killed + t.TimedOut
	if dead+t.Lived == 0 {
		return 100
	}
	return float64(dead) * 100 / float64(dead+t.Lived)
}

func (t Tally) String() string {
	return fmt.Sprintf("%.0f%% (killed %d, timed out %d, lived %d, not covered %d)", t.Score(), t.Killed, t.TimedOut, t.Lived, t.NotCovered)
}

// report is the part of gremlins' JSON output (-o) this reads.
type report struct {
	Files []struct {
		Name      string `json:"file_name"`
		Mutations []struct {
			Type   string `json:"type"`
			Status string `json:"status"`
			Line   int    `json:"line"`
			Column int    `json:"column"`
		} `json:"mutations"`
	} `json:"files"`
}

// Tally reads gremlins' statuses, and lists the lived mutants as
// file:line:column type, with file names as name renders them.
func (r report) Tally(name func(string) string) (Tally, []string) {
	var t Tally
	var lived []string
	for _, f := range r.Files {
		for _, m := range f.Mutations {
			switch m.Status {
			case "KILLED":
				t.Killed++
			case "TIMED OUT":
				t.TimedOut++
			case "LIVED":
				t.Lived++
				lived = append(lived, fmt.Sprintf("%s:%d:%d %s", name(f.Name), m.Line, m.Column, m.Type))
			case "NOT COVERED":
				t.NotCovered++
			case "NOT VIABLE":
				t.NotViable++
			}
		}
	}
	sort.Strings(lived)
	return t, lived
}

// run mutates one package directory with gremlins, from its module's root
// (outside the workspace: gremlins downloads the whole module graph, and the
// workspace's graph holds modules the proxy does not serve).
func run(bin, root, dir string, workers, coeff int, allMutators bool) (Tally, []string, error) {
	abs := filepath.Join(root, dir)
	mod, err := moduleRoot(abs)
	if err != nil {
		return Tally{}, nil, err
	}
	rel, err := filepath.Rel(mod, abs)
	if err != nil {
		return Tally{}, nil, err
	}
	out, err := os.CreateTemp("", "mutate-*.json")
	if err != nil {
		return Tally{}, nil, err
	}
	out.Close()
	defer os.Remove(out.Name())
	args := []string{"unleash", "--silent", "--workers", fmt.Sprint(workers), "--timeout-coefficient", fmt.Sprint(coeff), "-o", out.Name()}
	if allMutators {
		args = append(args, "--invert-logical", "--invert-loopctrl", "--invert-assignments", "--remove-self-assignments")
	}
	args = append(args, "./"+rel)
	cmd := exec.Command(bin, args...)
	cmd.Dir = mod
	cmd.Env = append(os.Environ(), "GOWORK=off")
	cmd.Stdout, cmd.Stderr = io.Discard, os.Stderr
	fmt.Fprintf(os.Stderr, "==> gremlins over %s\n", dir)
	if err := cmd.Run(); err != nil {
		return Tally{}, nil, fmt.Errorf("gremlins over %s: %w", dir, err)
	}
	b, err := os.ReadFile(out.Name())
	if err != nil {
		return Tally{}, nil, err
	}
	var r report
	if err := json.Unmarshal(b, &r); err != nil {
		return Tally{}, nil, fmt.Errorf("gremlins' report for %s: %w", dir, err)
	}
	t, lived := r.Tally(func(f string) string { return repoPath(root, mod, f) })
	return t, lived, nil
}

// repoPath names a file gremlins reported (absolute, or relative to the
// module it ran in) relative to the repository root.
func repoPath(root, mod, f string) string {
	if !filepath.IsAbs(f) {
		f = filepath.Join(mod, f)
	}
	if rel, err := filepath.Rel(root, f); err == nil {
		return rel
	}
	return f
}

func moduleRoot(dir string) (string, error) {
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("%s is not inside a Go module", dir)
		}
	}
}

func repoRoot() (string, error) {
	out, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	if err != nil {
		return "", fmt.Errorf("run mutate inside the Kiln repository: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

func findGremlins(flagValue string) (string, error) {
	if flagValue != "" {
		return flagValue, nil
	}
	home := os.Getenv("KILN_HOME")
	if home == "" {
		if h, err := os.UserHomeDir(); err == nil {
			home = filepath.Join(h, ".cache", "kiln")
		}
	}
	if p := filepath.Join(home, "gotools", "gremlins"); fileExists(p) {
		return p, nil
	}
	if p, err := exec.LookPath("gremlins"); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("gremlins not found: `make mutate` installs go-gremlins v0.5.0 into $KILN_HOME/gotools (or pass -gremlins PATH)")
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "mutate:", err)
	os.Exit(1)
}
