package main

import (
	"bytes"
	"fmt"
	"runtime"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// commandReference renders the command reference (docs/cli) from the CLI's
// own help: one Markdown file per command, named by its path
// (kiln_registry_serve.md). Defaults that depend on the machine are written
// as what they mean.
func commandReference(root *cobra.Command) map[string][]byte {
	out := map[string][]byte{}
	var walk func(*cobra.Command)
	walk = func(cmd *cobra.Command) {
		if cmd.Hidden || cmd.Name() == "help" {
			return
		}
		out[docName(cmd)] = commandPage(cmd)
		for _, sub := range cmd.Commands() {
			walk(sub)
		}
	}
	walk(root)
	return out
}

func docName(cmd *cobra.Command) string {
	return strings.ReplaceAll(cmd.CommandPath(), " ", "_") + ".md"
}

func commandPage(cmd *cobra.Command) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# %s\n\n%s\n\n", cmd.CommandPath(), cmd.Short)
	fmt.Fprintf(&b, "<!-- generated from kiln's help by make cli-docs; edit the command, not this file -->\n\n")
	if cmd.Long != "" {
		fmt.Fprintf(&b, "%s\n\n", cmd.Long)
	}
	if cmd.Runnable() || cmd.HasSubCommands() {
		fmt.Fprintf(&b, "```\n%s\n```\n\n", cmd.UseLine())
	}
	if cmd.Example != "" {
		fmt.Fprintf(&b, "## Examples\n\n```\n%s\n```\n\n", cmd.Example)
	}
	if fs := cmd.NonInheritedFlags(); fs.HasAvailableFlags() {
		fmt.Fprintf(&b, "## Flags\n\n```\n%s```\n\n", flagUsages(fs))
	}
	if fs := cmd.InheritedFlags(); fs.HasAvailableFlags() {
		fmt.Fprintf(&b, "## Flags of the parent commands\n\n```\n%s```\n\n", flagUsages(fs))
	}
	var see []string
	if p := cmd.Parent(); p != nil {
		see = append(see, fmt.Sprintf("- [%s](%s): %s", p.CommandPath(), docName(p), p.Short))
	}
	for _, sub := range cmd.Commands() {
		if !sub.Hidden && sub.Name() != "help" {
			see = append(see, fmt.Sprintf("- [%s](%s): %s", sub.CommandPath(), docName(sub), sub.Short))
		}
	}
	if len(see) > 0 {
		fmt.Fprintf(&b, "## See also\n\n%s\n", strings.Join(see, "\n"))
	}
	return bytes.TrimRight(b.Bytes(), "\n")
}

// flagUsages is fs's usage with machine-dependent defaults named.
func flagUsages(fs *pflag.FlagSet) string {
	c := pflag.NewFlagSet("doc", pflag.ContinueOnError)
	fs.VisitAll(func(f *pflag.Flag) {
		g := *f
		if g.DefValue == runtime.GOARCH && strings.Contains(g.Name, "arch") {
			g.DefValue = "the host's"
		}
		c.AddFlag(&g)
	})
	c.SortFlags = fs.SortFlags
	return c.FlagUsagesWrapped(100)
}
