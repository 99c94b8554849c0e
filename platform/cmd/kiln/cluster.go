package main

import (
	"github.com/spf13/cobra"

	"kiln.dev/kiln/platform/cluster"
)

func newClusterCmd(c *cli) *cobra.Command {
	const use = "kiln cluster up [--with knative,shipwright,kiln]|env|down|status"
	cmd := &cobra.Command{
		Use:   "cluster",
		Short: "A single-node Kubernetes on this machine, from pinned parts",
		Long: "A real single-node Kubernetes (kube v1.36.3, containerd v2.4.2, runc, CNI bridge) under\n" +
			"$KILN_HOME/cluster, pulling from kiln's registry. up and down need root; build the node's\n" +
			"binaries once with: bash platform/tools/build.sh cluster",
		Args: subcommandArgs(use, "up", "env", "down", "status"),
		RunE: needSubcommand(use),
	}
	for _, sub := range []struct{ name, short string }{
		{"up", "Bring up (or reuse) the node; prints each step's duration"},
		{"env", "Print KUBECONFIG, PATH (the matching kubectl), KILN_INGRESS and KILN_REGISTRY (the node registry, kiln deploy's): eval \"$(kiln cluster env)\""},
		{"down", "Stop the node and undo every change to the host"},
		{"status", "Show the node's processes"},
	} {
		name := sub.name
		sc := &cobra.Command{
			Use:   name,
			Short: sub.short,
			Args:  exactArgs(0, "kiln cluster "+name+" takes no arguments"),
		}
		var with string
		if name == "up" {
			sc.Flags().StringVar(&with, "with", "", "also install addons built from their Go modules by ko: coredns, tekton, shipwright, knative, gateway-api, traefik (shipwright brings tekton and coredns; knative brings coredns and traefik, its ingress and Gateway API implementation, whose address up prints; traefik brings gateway-api, the standard CRDs); kiln: Kiln's controller built from the Kiln checkout up runs in, with the builders in the node registry and its Gateway kiln/kiln-gateway on the ingress port (brings shipwright and knative)")
		}
		sc.RunE = func(*cobra.Command, []string) error {
			args := []string{name}
			if with != "" {
				args = append(args, "--with="+with)
			}
			return cluster.Main(args, c.stdout, c.stderr)
		}
		cmd.AddCommand(sc)
	}
	return cmd
}
