package buildrequest

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"kiln.dev/kiln/platform/detect"
	"kiln.dev/kiln/platform/envfile"
	"kiln.dev/kiln/platform/ignore"
	"kiln.dev/kiln/platform/projectdesc"
)

// Request is kiln build's input.
type Request struct {
	Dir       string // the source directory
	Image     string // "" = named after Dir
	Builder   string // "" = project.toml's, else detected
	Target    string // FUNC_NAME
	Signature string // FUNC_SIGNATURE_TYPE: "", http, cloudevent or openfunction
	Env       []string
	EnvFiles  []string
	// LookupEnv is kiln's own environment: the passed-through proxy and Go
	// settings, and the values of a bare KEY in an env file.
	LookupEnv func(string) (string, bool)
}

// Plan is the resolved build.
type Plan struct {
	Dir, Image, Builder string
	BuilderFrom         string // --builder, project.toml, or what detection saw
	Env                 map[string]string
	// Skip leaves source paths out of the workspace; nil keeps them all.
	Skip  func(rel string, dir bool) bool
	Notes []string // what the descriptor files changed, for the log
}

// PassThrough are the variables of kiln's environment builds get unless
// the request sets them: module proxies and HTTP proxies.
var PassThrough = []string{"GOPROXY", "GOSUMDB", "GONOSUMDB", "GOPRIVATE", "HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY"}

// Signatures are the values --signature takes.
var Signatures = []string{"http", "cloudevent", "openfunction"}

// Resolve reads Dir's project.toml and .kilnignore and the env files, and
// resolves the build.
func Resolve(req Request) (*Plan, error) {
	if req.Signature != "" && !slices.Contains(Signatures, req.Signature) {
		return nil, fmt.Errorf("--signature %q: use http, cloudevent or openfunction", req.Signature)
	}
	abs, err := filepath.Abs(req.Dir)
	if err != nil {
		return nil, err
	}
	if st, err := os.Stat(abs); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("source directory %q: not a directory (kiln build DIR)", req.Dir)
	}
	lookup := req.LookupEnv
	if lookup == nil {
		lookup = func(string) (string, bool) { return "", false }
	}
	p := &Plan{Dir: abs, Image: req.Image, Builder: req.Builder, BuilderFrom: "--builder", Env: map[string]string{}}
	if p.Image == "" {
		p.Image = ImageName(abs)
	}
	desc, found, err := projectdesc.Read(abs)
	if err != nil {
		return nil, err
	}
	if found {
		for _, v := range desc.Env {
			p.Env[v.Name] = v.Value
		}
		if len(desc.Env) > 0 {
			p.Notes = append(p.Notes, fmt.Sprintf("project.toml: build env %s", strings.Join(names(desc.Env), " ")))
		}
	}
	for _, f := range req.EnvFiles {
		vars, err := envfile.ReadFile(f, lookup)
		if err != nil {
			return nil, err
		}
		for _, v := range vars {
			p.Env[v.Name] = v.Value
		}
	}
	if err := SetFlagEnv(p.Env, req.Env, req.Target); err != nil {
		return nil, err
	}
	if req.Signature != "" {
		p.Env["FUNC_SIGNATURE_TYPE"] = req.Signature
	}
	for _, k := range PassThrough {
		if v, ok := lookup(k); ok {
			if _, set := p.Env[k]; !set {
				p.Env[k] = v
			}
		}
	}
	if p.Builder == "" && desc.Builder != "" {
		p.Builder, p.BuilderFrom = desc.Builder, "project.toml"
	}
	if p.Builder == "" {
		d, err := detect.Detect(abs, p.Env)
		if err != nil {
			return nil, fmt.Errorf("detecting the language of %s: %w", abs, err)
		}
		p.Builder, p.BuilderFrom = d.Language.Builder(), "detected"
		if d.Why != "" {
			p.BuilderFrom += " " + d.Why
		}
	}
	if p.Skip, err = sourceFilter(abs, desc, &p.Notes); err != nil {
		return nil, err
	}
	return p, nil
}

// sourceFilter combines .kilnignore with project.toml's include/exclude.
func sourceFilter(dir string, desc projectdesc.Descriptor, notes *[]string) (func(string, bool) bool, error) {
	ign, err := ignore.ReadFile(filepath.Join(dir, ignore.FileName))
	if err != nil {
		return nil, err
	}
	field := "io.buildpacks"
	if desc.SchemaVersion == "0.1" {
		field = "build"
	}
	exclude, err := ignore.ParseLines(filepath.Join(dir, projectdesc.FileName)+" "+field+".exclude", desc.Exclude)
	if err != nil {
		return nil, err
	}
	include, err := ignore.ParseLines(filepath.Join(dir, projectdesc.FileName)+" "+field+".include", desc.Include)
	if err != nil {
		return nil, err
	}
	if ign.Empty() && exclude.Empty() && include.Empty() {
		return nil, nil
	}
	if !ign.Empty() {
		*notes = append(*notes, ".kilnignore: leaving out what it names")
	}
	if !exclude.Empty() {
		*notes = append(*notes, fmt.Sprintf("project.toml: excluding %s", strings.Join(desc.Exclude, " ")))
	}
	if !include.Empty() {
		*notes = append(*notes, fmt.Sprintf("project.toml: including only %s", strings.Join(desc.Include, " ")))
	}
	// fsutil.CopyTreeExcept does not enter a directory this leaves out, so
	// each entry's own verdict is enough (MatchWalked).
	return func(rel string, isDir bool) bool {
		if ign.MatchWalked(rel, isDir) || exclude.MatchWalked(rel, isDir) {
			return true
		}
		// include: files outside it stay out; directories are entered
		// (an included file may lie below).
		return !include.Empty() && !isDir && !include.Match(rel, false)
	}, nil
}

var nonName = regexp.MustCompile(`[^a-z0-9._-]+`)

// ImageName derives a repository name from a directory.
func ImageName(dir string) string {
	n := strings.Trim(nonName.ReplaceAllString(strings.ToLower(filepath.Base(dir)), "-"), "-._")
	if n == "" {
		n = "app"
	}
	return n
}

// EnvNames lists the plan's env variable names, sorted (values can be
// secrets: the log shows names only).
func (p *Plan) EnvNames() []string {
	var ks []string
	for k := range p.Env {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func names(vs []projectdesc.Var) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Name)
	}
	return out
}

// SetFlagEnv sets in env what the command line gives: --env KEY=VALUE
// each (later ones win), then FUNC_NAME=target (--target) when given.
func SetFlagEnv(env map[string]string, kvs []string, target string) error {
	for _, kv := range kvs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return fmt.Errorf("--env %q: want KEY=VALUE", kv)
		}
		env[k] = v
	}
	if target != "" {
		env["FUNC_NAME"] = target
	}
	return nil
}
