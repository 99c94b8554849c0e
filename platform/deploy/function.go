package deploy

import (
	"fmt"
	"net"
	"regexp"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"

	"kiln.dev/kiln/controller/api/v1alpha1"
	"kiln.dev/kiln/controller/render"
	"kiln.dev/kiln/platform/detect"
)

// FieldOwner is kiln deploy's server-side apply field manager.
const FieldOwner = "kiln-deploy"

// Spec is the Function kiln deploy applies.
type Spec struct {
	Name, Namespace string
	// Image is where the build pushes (REGISTRY/NAME).
	Image string
	// Source is the pushed source bundle, pinned by digest; or Git is the
	// repository the build clones.
	Source string
	Git    *GitSource
	// Language is spec.build.language (go, nodejs, python, java).
	Language string
	// Env is the build env (FUNC_NAME among it).
	Env map[string]string
	// Route: an HTTPRoute through the Gateway of the cluster's Gateway
	// config, on Hostnames (at the config's path template) or, without
	// them, on the host its host template makes.
	Route     bool
	Hostnames []string
	// Serving is the Function's spec.serving (ReadServing: async triggers,
	// outputs, pub/sub, scale options); nil serves it over HTTP.
	Serving *v1alpha1.ServingImpl
}

var dnsLabel = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

// CheckName says whether n can name a Function (and its Knative Service,
// a DNS label of at most 63 characters, less the suffixes the controller adds).
func CheckName(n string) error {
	if len(n) > 50 || !dnsLabel.MatchString(n) {
		return fmt.Errorf("--name %q: want lowercase letters, digits and '-', starting and ending with a letter or digit, at most 50 characters", n)
	}
	return nil
}

// Languages maps platform/detect's languages to spec.build.language.
var Languages = map[detect.Language]string{
	detect.Go: render.LanguageGo, detect.Node: render.LanguageNodeJS, detect.Python: render.LanguagePython, detect.Java: render.LanguageJava,
}

// CheckLanguage says whether l is one of Kiln's languages.
func CheckLanguage(l string) error {
	var known []string
	for _, k := range Languages {
		if k == l {
			return nil
		}
		known = append(known, k)
	}
	sort.Strings(known)
	return fmt.Errorf("--language %q: want one of %s", l, strings.Join(known, ", "))
}

// CheckHostnames says whether each of hs can be a route's hostname (a
// Gateway API Hostname: a DNS name, "*." in front at most, not an IP).
func CheckHostnames(hs []string) error {
	for _, h := range hs {
		name := strings.TrimPrefix(h, "*.")
		if net.ParseIP(h) != nil || len(validation.IsDNS1123Subdomain(name)) > 0 || strings.Contains(name, "*") {
			return fmt.Errorf("--hostname %q: want a DNS name such as localhost or api.example.com (\"*.\" in front at most; not an IP address: Gateway API hostnames cannot be one)", h)
		}
	}
	return nil
}

// srcRepo is spec.build.srcRepo: the bundle, or the Git repository.
func srcRepo(s Spec) *v1alpha1.GitRepo {
	if s.Git == nil {
		return &v1alpha1.GitRepo{BundleContainer: &v1alpha1.BundleContainer{Image: s.Source}}
	}
	r := &v1alpha1.GitRepo{URL: s.Git.URL}
	if s.Git.Revision != "" {
		r.Revision = &s.Git.Revision
	}
	if d := s.Git.contextDir(); d != "" {
		r.SourceSubPath = &d
	}
	if s.Git.Secret != "" {
		r.Credentials = &corev1.LocalObjectReference{Name: s.Git.Secret}
	}
	return r
}

// Function is the Function s describes: built from the source bundle (or
// the Git repository) with the language's builder, served as s.Serving
// says (by default by Knative over HTTP).
func Function(s Spec) *v1alpha1.Function {
	env := make(map[string]string, len(s.Env))
	for k, v := range s.Env {
		env[k] = v
	}
	serving := &v1alpha1.ServingImpl{}
	if s.Serving != nil {
		serving = s.Serving.DeepCopy()
	}
	if s.Route {
		// The default Gateway config named, so the route is never an
		// empty object: server-side apply turns `route: {}` into null when
		// it drops the hostnames an earlier apply set, which the CRD refuses.
		serving.Triggers = &v1alpha1.Triggers{HTTP: &v1alpha1.HTTPTrigger{Route: &v1alpha1.RouteImpl{Hostnames: s.Hostnames,
			GatewayRef: &v1alpha1.GatewayRef{Name: v1alpha1.DefaultGatewayName, Namespace: v1alpha1.DefaultGatewayNamespace}}}}
	}
	return &v1alpha1.Function{
		TypeMeta: metav1.TypeMeta{APIVersion: v1alpha1.GroupVersion.String(), Kind: "Function"},
		ObjectMeta: metav1.ObjectMeta{Name: s.Name, Namespace: s.Namespace,
			Labels: map[string]string{"app.kubernetes.io/managed-by": FieldOwner}},
		Spec: v1alpha1.FunctionSpec{
			Image: s.Image,
			Build: &v1alpha1.BuildImpl{
				Language: s.Language,
				Env:      env,
				SrcRepo:  srcRepo(s),
			},
			Serving: serving,
		},
	}
}
