package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"kiln.dev/kiln/controller/api/v1alpha1"
	"kiln.dev/kiln/controller/convert"
	"kiln.dev/kiln/controller/reconciler"
	"kiln.dev/kiln/controller/render"
)

// readManifests reads path ("-" is stdin) as YAML documents.
func readManifests(path string) ([][]byte, error) {
	var b []byte
	var err error
	if path == "-" {
		b, err = io.ReadAll(os.Stdin)
	} else {
		b, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, err
	}
	var docs [][]byte
	for _, d := range bytes.Split(append([]byte("\n"), b...), []byte("\n---")) {
		if len(bytes.TrimSpace(d)) > 0 {
			docs = append(docs, d)
		}
	}
	if len(docs) == 0 {
		return nil, fmt.Errorf("%s: no YAML documents", path)
	}
	return docs, nil
}

func newRenderCmd(c *cli) *cobra.Command {
	o := renderFlags{cfg: render.DefaultConfig()}
	cmd := &cobra.Command{
		Use:   "render -f FILE",
		Short: "Print the Kubernetes objects the controller makes of a Function",
		Args:  exactArgs(0, "kiln render -f FILE takes no arguments"),
		RunE:  func(*cobra.Command, []string) error { return renderFunctions(o, c.stdout, c.stderr) },
	}
	fs := cmd.Flags()
	fs.StringVarP(&o.file, "file", "f", "", "Function manifest(s) (core.kiln.dev/v1alpha1; - for stdin)")
	fs.StringVar(&o.gwFile, "gateway-config", "", "the Gateway config ConfigMap routes use (default: Kiln's, "+render.DefaultGatewayConfigFile+")")
	fs.StringVar(&o.digest, "image-digest", "", "render serving as after a build of this digest (default: before the first build, spec.image)")
	fs.StringVar(&o.cfg.DefaultBuilder, "default-builder", o.cfg.DefaultBuilder, "the controller's --default-builder")
	fs.StringVar(&o.cfg.ClusterDomain, "cluster-domain", o.cfg.ClusterDomain, "the controller's --cluster-domain")
	fs.StringVar(&o.cfg.BuildCacheSize, "build-cache-size", o.cfg.BuildCacheSize, "the controller's --build-cache-size")
	return cmd
}

// renderFlags are kiln render's parsed flags.
type renderFlags struct {
	file, gwFile, digest string
	cfg                  render.Config
}

// renderFunctions is kiln render writing the objects to stdout and notes to
// stderr.
func renderFunctions(o renderFlags, stdout, stderr io.Writer) error {
	file, gwFile, digest, cfg := &o.file, &o.gwFile, &o.digest, o.cfg
	if *file == "" {
		return usageError{"kiln render: -f FILE is required"}
	}
	if *gwFile != "" {
		docs, err := readManifests(*gwFile)
		if err != nil {
			return err
		}
		var cm corev1.ConfigMap
		if err := yaml.UnmarshalStrict(docs[0], &cm); err != nil {
			return fmt.Errorf("--gateway-config %s: %w", *gwFile, err)
		}
		if cfg.Gateway, err = render.GatewayFromConfigMap(&cm); err != nil {
			return err
		}
	}
	docs, err := readManifests(*file)
	if err != nil {
		return err
	}
	var all []client.Object
	defaultGateway, routeNoted := false, false
	for i, d := range docs {
		var f v1alpha1.Function
		if err := yaml.UnmarshalStrict(d, &f); err != nil {
			return fmt.Errorf("%s (document %d): %w", *file, i+1, err)
		}
		if f.Kind != "Function" || f.APIVersion != v1alpha1.GroupVersion.String() {
			return fmt.Errorf("%s (document %d): apiVersion %q kind %q: want core.kiln.dev/v1alpha1 Function (OpenFunction manifests: kiln convert)", *file, i+1, f.APIVersion, f.Kind)
		}
		if f.Namespace == "" {
			f.Namespace = "default"
		}
		f.Default()
		if errs := f.Validate(); len(errs) > 0 {
			return fmt.Errorf("Function %s/%s is invalid:\n  %s", f.Namespace, f.Name, strings.ReplaceAll(errs.ToAggregate().Error(), ", ", "\n  "))
		}
		if v := f.Spec.Serving; v != nil && !f.IsAsync() && v.Triggers.HTTP.Route != nil && (cfg.Gateway == nil || defaultGateway) {
			if cfg.Gateway == nil {
				cfg.Gateway, defaultGateway = render.DefaultGateway(), true
				g := cfg.Gateway
				fmt.Fprintf(stderr, "kiln render: note: no --gateway-config: routes use Kiln's default Gateway config, ConfigMap %s/%s of %s (domain %s, Gateway %s/%s); to render with your cluster's, pass --gateway-config FILE holding that ConfigMap\n",
					v1alpha1.DefaultGatewayNamespace, v1alpha1.DefaultGatewayName, render.DefaultGatewayConfigFile, g.Domain, g.GatewayNamespace, g.GatewayName)
			}
			if ref := v.Triggers.HTTP.Route.GatewayRef; ref.Namespace != v1alpha1.DefaultGatewayNamespace || ref.Name != v1alpha1.DefaultGatewayName {
				fmt.Fprintf(stderr, "kiln render: note: Function %s/%s: its route names Gateway config ConfigMap %s/%s, rendered with the default %s/%s; pass --gateway-config FILE holding %s/%s to render with it\n",
					f.Namespace, f.Name, ref.Namespace, ref.Name, v1alpha1.DefaultGatewayNamespace, v1alpha1.DefaultGatewayName, ref.Namespace, ref.Name)
			}
		}
		image := ""
		if *digest != "" {
			image = reconciler.PinDigest(f.Spec.Image, *digest)
		}
		objs, err := render.All(&f, cfg, image)
		if err != nil {
			return fmt.Errorf("Function %s/%s: %w", f.Namespace, f.Name, err)
		}
		all = append(all, objs...)
		if v := f.Spec.Serving; v != nil && !f.IsAsync() && v.Triggers.HTTP.Route != nil && !routeNoted {
			routeNoted = true
			fmt.Fprintf(stderr, "kiln render: note: an HTTPRoute's backends are left out: on a cluster they are the revisions the Knative Service's status.traffic names (its Services, with the Knative-Serving-Revision and -Namespace headers Knative's activator routes by)\n")
		}
	}
	out, err := render.YAML(all)
	if err != nil {
		return err
	}
	_, err = stdout.Write(out)
	return err
}

func newConvertCmd(c *cli) *cobra.Command {
	var file string
	cmd := &cobra.Command{
		Use:   "convert -f FILE",
		Short: "Turn an OpenFunction Function into a Kiln Function",
		Args:  exactArgs(0, "kiln convert -f FILE takes no arguments"),
		RunE:  func(*cobra.Command, []string) error { return convertFunctions(file, c.stdout, c.stderr) },
	}
	cmd.Flags().StringVarP(&file, "file", "f", "", "OpenFunction Function manifest(s) (core.openfunction.io/v1beta1 or v1beta2; - for stdin)")
	return cmd
}

// convertFunctions is kiln convert writing the Functions to stdout and the
// notes on them to stderr.
func convertFunctions(path string, stdout, stderr io.Writer) error {
	file := &path
	if *file == "" {
		return usageError{"kiln convert: -f FILE is required"}
	}
	docs, err := readManifests(*file)
	if err != nil {
		return err
	}
	var objs []client.Object
	for i, d := range docs {
		if convert.IsEvents(d) {
			res, err := convert.ConvertEvents(d)
			if err != nil {
				return fmt.Errorf("%s (document %d): %w", *file, i+1, err)
			}
			for _, n := range res.Notes {
				fmt.Fprintf(stderr, "kiln convert: %s: %s\n", res.Object.GetName(), n)
			}
			objs = append(objs, res.Object)
			continue
		}
		res, err := convert.Convert(d)
		if err != nil {
			return fmt.Errorf("%s (document %d): %w", *file, i+1, err)
		}
		for _, n := range res.Notes {
			fmt.Fprintf(stderr, "kiln convert: %s: %s\n", res.Function.Name, n)
		}
		objs = append(objs, res.Function)
	}
	out, err := render.YAML(objs)
	if err != nil {
		return err
	}
	_, err = stdout.Write(out)
	return err
}
