package deploy

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"kiln.dev/kiln/controller/api/v1alpha1"
	"kiln.dev/kiln/controller/render"
	"kiln.dev/kiln/platform/buildrequest"
	"kiln.dev/kiln/platform/detect"
	"kiln.dev/kiln/platform/regclient"
)

// RegistryEnv is where kiln deploy finds the registry when --registry is
// not given.
const RegistryEnv = "KILN_REGISTRY"

// Options is one kiln deploy.
type Options struct {
	Dir string
	// Git builds from a repository the build pod clones instead of Dir.
	Git       *GitSource
	Target    string   // FUNC_NAME
	Name      string   // the Function; "" = named after Dir
	Language  string   // "" = detected
	Namespace string   // "" = default
	Registry  string   // where the source bundle and the image go (host[:port][/path])
	Env       []string // KEY=VALUE build env
	// Push reaches the registry (credentials, plain-HTTP registries).
	Push regclient.Target
	// Client talks to the cluster; its scheme must know core.kiln.dev.
	Client  client.Client
	Timeout time.Duration // 0 = 15 minutes
	// Poll is how often the Function's status is read; 0 = 500 ms.
	Poll   time.Duration
	Limits Limits // zero = DefaultLimits
	// Progress is told each phase as it happens (nil: nothing).
	Progress func(Phase)
	// Ingress is where the cluster's Knative Services answer when their
	// URLs lack its port (kiln cluster env's KILN_INGRESS); "" = $KILN_INGRESS.
	Ingress string
	// Route routes the function through the cluster's Gateway (an
	// HTTPRoute): by the Gateway config's host template, or with
	// Hostnames by its path template on those hosts.
	Route     bool
	Hostnames []string
	// Serving is the Function's spec.serving (ReadServing); nil serves it
	// over HTTP with Knative.
	Serving *v1alpha1.ServingImpl
}

// Result is a deployed Function.
type Result struct {
	Namespace, Name string
	Source          string // the source bundle, by digest
	Image           string // the built image, by digest
	URL             string // "" for an async Function
}

// Deploy packs, pushes, applies and waits (see the package doc); with
// o.Git it applies a Function that clones the repository instead.
func Deploy(ctx context.Context, o Options) (*Result, error) {
	o.Registry = strings.TrimSuffix(o.Registry, "/")
	if err := CheckRegistry(o.Registry); err != nil {
		return nil, err
	}
	if o.Client == nil {
		return nil, errors.New("deploy: no cluster client")
	}
	if o.Git != nil && o.Dir != "" {
		return nil, fmt.Errorf("deploy: both a directory (%s) and a Git repository (%s): give one", o.Dir, o.Git.URL)
	}
	progress := o.Progress
	if progress == nil {
		progress = func(Phase) {}
	}
	if err := CheckHostnames(o.Hostnames); err != nil {
		return nil, err
	}
	if o.Language != "" {
		if err := CheckLanguage(o.Language); err != nil {
			return nil, err
		}
	}
	ns := o.Namespace
	if ns == "" {
		ns = "default"
	}
	var spec Spec
	var err error
	if o.Git != nil {
		spec, err = gitSpec(ctx, o, progress)
	} else {
		spec, err = bundleSpec(ctx, o, progress)
	}
	if err != nil {
		return nil, err
	}
	spec.Namespace, spec.Image = ns, o.Registry+"/"+spec.Name
	spec.Route, spec.Hostnames = o.Route || len(o.Hostnames) > 0, o.Hostnames
	res := &Result{Namespace: ns, Name: spec.Name, Source: spec.Source}
	if spec.Git != nil {
		res.Source = spec.Git.URL + "@" + orDefault(spec.Git.Revision, "HEAD")
	}
	spec.Serving = o.Serving
	f := Function(spec)
	gen, err := apply(ctx, o.Client, f)
	if err != nil {
		return nil, err
	}
	progress(Phase{Step: StepApply, Message: fmt.Sprintf("Function %s/%s applied (generation %d)", ns, spec.Name, gen)})
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = 15 * time.Minute
	}
	wctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	poll := o.Poll
	if poll <= 0 {
		poll = 500 * time.Millisecond
	}
	ingress := o.Ingress
	if ingress == "" {
		ingress = os.Getenv(IngressEnv)
	}
	st, err := wait(wctx, o.Client, client.ObjectKeyFromObject(f), gen, f.IsAsync(), poll, progress, ingress)
	if err != nil {
		return nil, err
	}
	if st.Revision != nil {
		res.Image = st.Revision.ImageDigest
	}
	res.URL = ReachableURL(st.URL, ingress)
	return res, nil
}

// bundleSpec packs o.Dir, pushes it as the source bundle and returns the
// Function's build from it (name, language, env, source).
func bundleSpec(ctx context.Context, o Options, progress func(Phase)) (Spec, error) {
	plan, err := buildrequest.Resolve(buildrequest.Request{Dir: o.Dir, Target: o.Target, Env: o.Env})
	if err != nil {
		return Spec{}, err
	}
	name := o.Name
	if name == "" {
		name = buildrequest.ImageName(plan.Dir)
	}
	if err := CheckName(name); err != nil {
		return Spec{}, err
	}
	lang := o.Language
	if lang == "" {
		d, err := detect.Detect(plan.Dir, plan.Env)
		if err != nil {
			return Spec{}, fmt.Errorf("detecting the language of %s: %w (pass --language)", plan.Dir, err)
		}
		lang = Languages[d.Language]
		progress(Phase{Step: StepSource, Message: fmt.Sprintf("language %s (%s)", lang, orDefault(d.Why, "the default"))})
	}
	lim := o.Limits
	if lim == (Limits{}) {
		lim = DefaultLimits
	}
	bundle, err := PackSource(plan.Dir, plan.Skip, lim)
	if err != nil {
		return Spec{}, err
	}
	defer bundle.Close()
	srcRepo := o.Registry + "/" + name + "-source"
	d, err := o.Push.WriteImage(ctx, srcRepo+":latest", bundle.Image)
	if err != nil {
		return Spec{}, err
	}
	source := srcRepo + "@" + d.String()
	progress(Phase{Step: StepSource, Message: fmt.Sprintf("pushed %d files (%s) as %s", bundle.Files, size(bundle.Bytes), source)})
	return Spec{Name: name, Source: source, Language: lang, Env: plan.Env}, nil
}

// CheckRegistry says whether reg can take kiln deploy's images.
func CheckRegistry(reg string) error {
	if reg == "" {
		return fmt.Errorf("no registry: pass --registry REGISTRY (or set %s): where the source bundle and the built image go, one the cluster pulls from (on Kiln's node: eval \"$(kiln cluster env)\" exports its node registry as %s)", RegistryEnv, RegistryEnv)
	}
	if strings.Contains(reg, "://") {
		return fmt.Errorf("--registry %q: want host[:port][/path], no scheme", reg)
	}
	return nil
}

// apply server-side applies f as kiln deploy and returns the generation
// the API server gave it.
func apply(ctx context.Context, c client.Client, f *v1alpha1.Function) (int64, error) {
	u, err := render.Unstructured(f)
	if err != nil {
		return 0, err
	}
	if err := c.Apply(ctx, client.ApplyConfigurationFromUnstructured(u), client.FieldOwner(FieldOwner), client.ForceOwnership); err != nil {
		return 0, fmt.Errorf("applying Function %s/%s: %w (is Kiln's controller installed? kubectl apply -k controller/config)", f.Namespace, f.Name, err)
	}
	return u.GetGeneration(), nil
}

func size(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%.1f KiB", float64(n)/1024)
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}
