package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
)

// cli is what every command shares: the streams, the global flags and
// whether a command's own code ran (errors before that are usage errors).
type cli struct {
	stdout, stderr io.Writer
	quiet, verbose bool
	ran            bool
}

// logLevel is the lifecycle's -log-level for --quiet and --verbose.
func (c *cli) logLevel() string {
	switch {
	case c.quiet:
		return "warn"
	case c.verbose:
		return "debug"
	}
	return "info"
}

func newRootCmd(c *cli) *cobra.Command {
	root := &cobra.Command{
		Use:   "kiln",
		Short: "Build serverless functions into OCI images and run them, no Docker needed",
		Long: "kiln builds functions and apps (Go, Node.js, Python, Java) into OCI images with Cloud Native\n" +
			"Buildpacks and runs them, with no Docker daemon and no cluster.\n\n" +
			"State lives in $KILN_HOME (default ~/.cache/kiln). Exit codes: 0 ok, 1 error, 2 usage;\n" +
			"a failed build exits with the lifecycle's code, kiln run with the function's.",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return nil
			}
			msg := fmt.Sprintf("unknown command %q", args[0])
			if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
				msg += fmt.Sprintf(": did you mean %s?", strings.Join(s, " or "))
			}
			return usageError{msg + " (kiln --help lists the commands)"}
		},
		SilenceErrors: true,
		SilenceUsage:  true,
		// kiln alone prints the commands on stderr and exits 2, as before.
		RunE: func(cmd *cobra.Command, _ []string) error {
			cmd.SetOut(c.stderr)
			cmd.Usage()
			return usageError{"name a command (kiln --help lists them)"}
		},
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if c.quiet && c.verbose {
				return usageError{"--quiet and --verbose: pick one"}
			}
			c.ran = cmd != cmd.Root()
			return nil
		},
	}
	root.PersistentFlags().BoolVarP(&c.quiet, "quiet", "q", false, "print only results and errors (the lifecycle logs at warn)")
	root.PersistentFlags().BoolVarP(&c.verbose, "verbose", "v", false, "print more (the lifecycle logs at debug)")
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		if cmd == cmd.Root() {
			return usageError{fmt.Sprintf("%v (kiln --help lists its flags)", err)}
		}
		return usageError{fmt.Sprintf("%s: %v (%s --help lists its flags)", cmd.CommandPath(), err, cmd.CommandPath())}
	})
	root.SuggestionsMinimumDistance = 2
	root.CompletionOptions.DisableDefaultCmd = true
	root.AddCommand(
		newBuildCmd(c), newRunCmd(c), newInitCmd(c), newInvokeCmd(c), newInspectCmd(c),
		newRegistryCmd(c), newCacheCmd(c), newStackCmd(c), newBuildpackCmd(c), newBuilderCmd(c), newPublishCmd(c),
		newRebaseCmd(c), newSBOMCmd(c), newRenderCmd(c), newConvertCmd(c), newClusterCmd(c), newDeployCmd(c), newVersionCmd(c), newCompletionCmd(c),
	)
	return root
}

// exactArgs is cobra.ExactArgs with kiln's usage message.
func exactArgs(n int, usage string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) != n {
			return usageError{usage}
		}
		return nil
	}
}

// needSubcommand is the RunE of a command that only groups subcommands:
// alone it is a usage error saying what to type.
func needSubcommand(usage string) func(*cobra.Command, []string) error {
	return func(*cobra.Command, []string) error { return usageError{usage} }
}

// subcommandArgs refuses an argument that names no subcommand of a group.
func subcommandArgs(usage string, names ...string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return nil
		}
		return usageError{fmt.Sprintf("unknown %s command %q: %s (%s)", cmd.Name(), args[0], strings.Join(names, ", "), usage)}
	}
}
