package cluster

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"kiln.dev/kiln/platform/home"
)

// DefaultOptions are the node's layout under $KILN_HOME/cluster, the
// pinned tools in $KILN_TOOLS and kiln's registry of that home.
func DefaultOptions(out io.Writer) Options {
	h := home.Default()
	wd, _ := os.Getwd()
	return Options{Layout: Layout{Dir: filepath.Join(string(h), "cluster"), Tools: h.Tools()}, RegistryDir: h.Registry(),
		AddonCache: filepath.Join(string(h), "cluster-addons"), KilnSource: FindKilnSource(wd), Out: out}
}

// Env is the shell exports for the node: eval "$(kiln cluster env)".
func Env(o Options) string {
	env := fmt.Sprintf("export KUBECONFIG=%s\nexport PATH=%s:\"$PATH\"\n",
		shellQuote(o.Kubeconfig()), shellQuote(filepath.Dir(o.kubeBin("kubectl"))))
	if in := Ingress(o); in != "" {
		env += "export KILN_INGRESS=" + shellQuote(in) + "\n"
	}
	// The node registry: the host pushes there and pods pull from it, so
	// kiln deploy needs no --registry.
	if reg := NodeRegistry(o); reg != "" {
		env += "export KILN_REGISTRY=" + shellQuote(reg) + "\n"
	}
	return env
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// Status writes one line per process of the node and the apiserver's state.
func Status(o Options, w io.Writer) error {
	s, err := loadState(o.Layout)
	if err != nil {
		return err
	}
	if s.Before == nil {
		fmt.Fprintf(w, "node %s: down (state dir %s)\n", nodeName, o.Dir)
		return nil
	}
	for _, c := range components(o.Layout, s) {
		if pid := pidOf(o.Layout, c.name, c.bin); pid != 0 {
			fmt.Fprintf(w, "%-24s running (pid %d)\n", c.name, pid)
		} else {
			fmt.Fprintf(w, "%-24s not running (log %s)\n", c.name, o.logFile(c.name))
		}
	}
	fmt.Fprintf(w, "%-24s %s\n", "registry", s.Registry)
	if Running(o) {
		fmt.Fprintf(w, "node %s: running; apiserver %s; KUBECONFIG=%s\n", nodeName, s.server(), o.Kubeconfig())
		if s.IngressPort != 0 {
			fmt.Fprintf(w, "%-24s http://127.0.0.1:%d\n", "ingress", s.IngressPort)
		}
	} else {
		fmt.Fprintf(w, "node %s: not fully up: `kiln cluster up` restarts it, `kiln cluster down` clears it\n", nodeName)
	}
	return nil
}

const usage = "usage: kiln cluster up [--with coredns,tekton,shipwright,knative,traefik,gateway-api,dapr,keda,redis,kiln] | env | down | status\n" +
	"  up      bring up (or reuse) the single-node cluster under $KILN_HOME/cluster (root);\n" +
	"          --with installs addons built from their Go modules by ko (shipwright brings tekton and\n" +
	"          coredns; knative brings coredns and traefik, its ingress on a loopback port it prints;\n" +
	"          kiln brings both and installs Kiln's controller, built from the Kiln checkout it runs in;\n" +
	"          dapr and keda run async functions (Dapr's control plane, KEDA; both bring coredns); redis is\n" +
	"          a Redis at " + RedisAddress + " (password in secret " + RedisNamespace + "/" + RedisSecret + ") from kiln/stack/redis:services)\n" +
	"  env     print KUBECONFIG, PATH (kubectl of the same release), KILN_INGRESS and KILN_REGISTRY: eval \"$(kiln cluster env)\"\n" +
	"  down    stop it and undo every change to the host (processes, mounts, iptables, links, cgroups, sysctls)\n" +
	"  status  show its processes\n"

// Main is `kiln cluster up [--with ADDONS]|env|down|status`.
func Main(args []string, stdout, stderr io.Writer) error {
	var with string
	if len(args) > 1 && args[0] == "up" {
		switch {
		case len(args) == 2 && strings.HasPrefix(args[1], "--with="):
			with = strings.TrimPrefix(args[1], "--with=")
		case len(args) == 3 && args[1] == "--with":
			with = args[2]
		default:
			fmt.Fprint(stderr, usage)
			return fmt.Errorf("kiln cluster up: unexpected arguments %q (want --with knative,shipwright)", args[1:])
		}
		args = args[:1]
	}
	if len(args) != 1 {
		fmt.Fprint(stderr, usage)
		return errors.New("kiln cluster: want one of up, env, down, status")
	}
	o := DefaultOptions(stdout)
	if with != "" {
		var err error
		if o.Addons, err = ParseAddons(with); err != nil {
			return err
		}
	}
	needRoot := func() error {
		if os.Geteuid() != 0 {
			return fmt.Errorf("kiln cluster %s: needs root (it starts a kubelet, containerd and kube-proxy): run it with sudo", args[0])
		}
		return nil
	}
	switch args[0] {
	case "up":
		if err := needRoot(); err != nil {
			return err
		}
		return Up(o)
	case "down":
		if err := needRoot(); err != nil {
			return err
		}
		return Down(o)
	case "env":
		_, err := io.WriteString(stdout, Env(o))
		return err
	case "status":
		return Status(o, stdout)
	case "-h", "--help", "help":
		_, err := io.WriteString(stdout, usage)
		return err
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("kiln cluster: unknown subcommand %q", args[0])
}
