package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"kiln.dev/kiln/controller/api/v1alpha1"
	"kiln.dev/kiln/platform/deploy"
	"kiln.dev/kiln/platform/regclient"
)

func newDeployCmd(c *cli) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "deploy (DIR | --git URL) --target F",
		Short: "Deploy a function to a cluster running Kiln's controller",
		Long: "Pack the source in DIR (honouring .kilnignore and project.toml's include/exclude) as a Shipwright source\n" +
			"bundle, push it to the registry, server-side apply a core.kiln.dev/v1alpha1 Function that builds it with\n" +
			"Kiln's builder for its language, and wait: the phases (BuildRun, image digest, Knative Service) go to\n" +
			"stderr, the function's URL to stdout. With --serving FILE the Function is served as that spec.serving says\n" +
			"(an async one, on Dapr triggers, is ready without a URL). The cluster is $KUBECONFIG's (eval \"$(kiln cluster env)\").\n\n" +
			"With --git URL instead of DIR the build pod clones the repository (http://, https:// or git://; SSH URLs\n" +
			"are not supported): --revision picks a branch, tag or commit, pinned to the commit it names now when this\n" +
			"machine reaches the repository (so deploying again after a push rebuilds), --context-dir the function's\n" +
			"directory in it, --git-secret a kubernetes.io/basic-auth Secret to clone with (https only). The language\n" +
			"is go unless --language says otherwise; project.toml in the repository is not read here.",
		Example: "  kiln deploy samples/go/hello --target HelloWorld --registry 10.0.0.2:5000\n" +
			"  kiln deploy samples/go/hello --target HelloWorld --hostname localhost   # http://localhost:PORT/default/hello/ on kiln's node\n" +
			"  KILN_REGISTRY=registry.example.com/team kiln deploy . -t handler --language python --name greeter\n" +
			"  kiln deploy --git https://git.example.com/team/functions.git --revision v1.2.0 --context-dir go/hello -t HelloWorld\n" +
			"  kiln deploy samples/go/async-subscriber -t Receive -e FUNC_SIGNATURE_TYPE=openfunction --serving serving.yaml   # async: Dapr + KEDA, no URL",
		Args: func(cmd *cobra.Command, args []string) error {
			git, _ := cmd.Flags().GetString("git")
			switch {
			case git != "" && len(args) > 0:
				return usageError{"kiln deploy: --git URL and a directory (" + args[0] + ") are mutually exclusive: deploy the directory's source, or the repository's"}
			case git == "" && len(args) != 1:
				return usageError{"kiln deploy takes one directory (or --git URL): kiln deploy DIR --target F"}
			}
			return nil
		},
	}
	var o deployFlags
	fs := cmd.Flags()
	fs.SortFlags = false
	fs.StringVarP(&o.target, "target", "t", "", "function to serve (sets FUNC_NAME)")
	fs.StringVar(&o.name, "name", "", "the Function's name (default: the directory's, or with --git the repository's or context dir's)")
	fs.StringVar(&o.language, "language", "", "go, nodejs, python or java (default: detected from DIR, as kiln build does; go with --git)")
	fs.StringVarP(&o.namespace, "namespace", "n", "default", "the Function's namespace")
	fs.StringVar(&o.git.URL, "git", "", "build from this Git repository (http://, https:// or git://) instead of a directory: the build pod clones it")
	fs.StringVar(&o.git.Revision, "revision", "", "with --git: the branch, tag or commit to build (default: the repository's HEAD)")
	fs.StringVar(&o.git.ContextDir, "context-dir", "", "with --git: the function's directory in the repository (default: its root)")
	fs.StringVar(&o.git.Secret, "git-secret", "", "with --git: a kubernetes.io/basic-auth Secret in the Function's namespace to clone with (https only)")
	fs.StringVar(&o.registry, "registry", "", "where the source bundle (NAME-source) and the image (NAME) go, one the cluster pulls from (env "+deploy.RegistryEnv+")")
	fs.VarP(&o.env, "env", "e", "build-time env var K=V (repeatable)")
	fs.BoolVar(&o.route, "route", false, "also route through the cluster's Gateway (an HTTPRoute; host from the Gateway config's hostTemplate, NAME.NAMESPACE.DOMAIN)")
	fs.Var(&o.hostnames, "hostname", "route on this host at the Gateway config's pathTemplate, /NAMESPACE/NAME/ (repeatable; implies --route)")
	fs.StringVar(&o.serving, "serving", "", "YAML file with the Function's spec.serving (async: dapr triggers, outputs, pubsub, bindings, scaleOptions); default: HTTP on Knative")
	fs.DurationVar(&o.timeout, "timeout", 15*time.Minute, "how long to wait for the Function to be ready")
	fs.Var(&o.insecure, "insecure-registry", "registry (host:port) to push to over plain HTTP (repeatable; loopback registries need not be named). Credentials come from the Docker config (docker login)")
	fs.StringVar(&o.kubeconfig, "kubeconfig", "", "kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)")
	cmd.RunE = func(cmd *cobra.Command, pos []string) error {
		if len(pos) == 1 {
			o.dir = pos[0]
		}
		return c.deploy(cmd.Context(), o)
	}
	return cmd
}

// deployFlags are kiln deploy's parsed flags.
type deployFlags struct {
	dir, target, name, language, namespace, registry, kubeconfig, serving string
	env                                                                   envFlag
	timeout                                                               time.Duration
	insecure, hostnames                                                   listFlag
	route                                                                 bool
	git                                                                   deploy.GitSource
}

func (c *cli) deploy(ctx context.Context, f deployFlags) error {
	if f.target == "" {
		return usageError{"kiln deploy: --target F is required (the function to serve, FUNC_NAME)"}
	}
	var git *deploy.GitSource
	if f.git.URL != "" {
		if err := deploy.CheckGitSource(f.git); err != nil {
			return usageError{err.Error()}
		}
		git = &f.git
	} else if f.git != (deploy.GitSource{}) {
		return usageError{"kiln deploy: --revision, --context-dir and --git-secret go with --git URL (a directory is deployed as it is)"}
	}
	if f.name != "" {
		if err := deploy.CheckName(f.name); err != nil {
			return usageError{err.Error()}
		}
	}
	if f.language != "" {
		if err := deploy.CheckLanguage(f.language); err != nil {
			return usageError{err.Error()}
		}
	}
	if f.registry == "" {
		f.registry = os.Getenv(deploy.RegistryEnv)
	}
	if err := deploy.CheckRegistry(f.registry); err != nil {
		return err
	}
	if err := regclient.ExportInsecure(f.insecure); err != nil {
		return usageError{err.Error()}
	}
	var serving *v1alpha1.ServingImpl
	if f.serving != "" {
		var err error
		if serving, err = deploy.ReadServing(f.serving); err != nil {
			return usageError{err.Error()}
		}
	}
	kc, err := kubeClient(f.kubeconfig)
	if err != nil {
		return err
	}
	res, err := deploy.Deploy(ctx, deploy.Options{
		Dir: f.dir, Git: git, Target: f.target, Name: f.name, Language: f.language, Namespace: f.namespace,
		Registry: f.registry, Env: f.env.kv, Push: regclient.FromEnv(), Client: kc, Timeout: f.timeout,
		Route: f.route, Hostnames: f.hostnames, Serving: serving,
		Progress: func(p deploy.Phase) {
			if !c.quiet {
				fmt.Fprintf(c.stderr, "==> %s: %s\n", p.Step, p.Message)
			}
		},
	})
	if err != nil {
		return err
	}
	if res.URL != "" {
		fmt.Fprintln(c.stdout, res.URL)
	}
	return nil
}

// kubeClient is a client of the cluster kubeconfig (or $KUBECONFIG, or
// ~/.kube/config) names, knowing Functions.
func kubeClient(kubeconfig string) (client.Client, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if kubeconfig != "" {
		rules.ExplicitPath = kubeconfig
	}
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, nil).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("no cluster: %w (set KUBECONFIG, e.g. eval \"$(kiln cluster env)\", or pass --kubeconfig)", err)
	}
	scheme := runtime.NewScheme()
	if err := v1alpha1.AddToScheme(scheme); err != nil {
		return nil, err
	}
	return client.New(cfg, client.Options{Scheme: scheme})
}
