package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"kiln.dev/kiln/platform/devproxy"
	"kiln.dev/kiln/platform/home"
	"kiln.dev/kiln/platform/scaffold"
)

func newInitCmd(c *cli) *cobra.Command {
	var signature, source string
	cmd := &cobra.Command{
		Use:   "init LANG [DIR]",
		Short: "Scaffold a function (go, node, python, java) with a test",
		Long: "Write a new function in DIR (default: a directory named after the language) with a test you run with\n" +
			"the language's own tools: go test, node --test, python3 -m unittest, or for Java a main-based check.",
		Example:   "  kiln init go hello\n  kiln init python events --signature cloudevent\n  kiln init node worker --signature openfunction",
		ValidArgs: scaffold.Languages,
		Args: func(_ *cobra.Command, pos []string) error {
			if len(pos) < 1 || len(pos) > 2 {
				return usageError{"kiln init LANG [DIR] [--signature http|cloudevent|openfunction], LANG one of " + strings.Join(scaffold.Languages, ", ")}
			}
			return nil
		},
		RunE: func(_ *cobra.Command, pos []string) error {
			dir := pos[0] + "-function"
			if len(pos) == 2 {
				dir = pos[1]
			}
			opts := scaffold.Options{Language: pos[0], Signature: signature, Dir: dir}
			if pos[0] == "go" && signature != "http" && signature != "" {
				p, err := goFrameworkProxy(source)
				if err != nil {
					return err
				}
				opts.GoFramework = &p
				fmt.Fprintf(c.stdout, "==> %s %s for go test and your IDE: module proxy %s\n", p.Module, p.Version, p.Dir)
			}
			res, err := scaffold.Write(opts)
			if err != nil {
				if strings.HasPrefix(err.Error(), "language") || strings.HasPrefix(err.Error(), "--signature") {
					return usageError{err.Error()}
				}
				return err
			}
			sig := signature
			if sig == "" {
				sig = "http"
			}
			fmt.Fprintf(c.stdout, "==> Wrote a %s %s function in %s:\n", pos[0], sig, res.Dir)
			for _, f := range res.Files {
				fmt.Fprintf(c.stdout, "    %s\n", filepath.ToSlash(f))
			}
			test := res.Test
			if len(res.Env) > 0 {
				test = "export " + strings.Join(res.Env, " ") + " && " + test
			}
			fmt.Fprintf(c.stdout, "    test it:   cd %s && %s\n", dir, test)
			fmt.Fprintf(c.stdout, "    build it:  kiln build %s --target %s --signature %s\n", dir, res.Target, sig)
			return nil
		},
	}
	cmd.Flags().StringVar(&signature, "signature", "http", "http, cloudevent or openfunction (Java: http or cloudevent)")
	cmd.Flags().StringVar(&source, "source", "", "the Kiln source tree whose Go framework the go cloudevent/openfunction scaffolds use (default: the tree holding this kiln binary, e.g. bin/kiln's checkout)")
	return cmd
}

// goFrameworkProxy writes Kiln's Go framework, from the source tree, into the
// file:// module proxy under $KILN_HOME that go test and IDEs resolve it from.
func goFrameworkProxy(source string) (devproxy.Proxy, error) {
	// The tree this kiln binary was built in (bin/kiln), not the working
	// directory: a checkout you happen to stand in must not replace the
	// framework every project on the machine resolves. --source says so
	// explicitly.
	var candidates []string
	if source != "" {
		candidates = []string{source}
	} else if exe, err := os.Executable(); err == nil {
		candidates = append(candidates, filepath.Dir(filepath.Dir(exe)))
	}
	src, err := devproxy.Locate(candidates...)
	if err != nil {
		return devproxy.Proxy{}, err
	}
	return devproxy.Write(src, home.Default().FrameworkProxy())
}
