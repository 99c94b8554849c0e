package main

import (
	"github.com/spf13/cobra"
)

func newCompletionCmd(c *cli) *cobra.Command {
	return &cobra.Command{
		Use:   "completion bash|zsh|fish",
		Short: "Print a shell completion script",
		Long: "Print the completion script for your shell. Load it now, or install it for every shell:\n\n" +
			"  bash:  source <(kiln completion bash)   # or: kiln completion bash > /etc/bash_completion.d/kiln\n" +
			"  zsh:   kiln completion zsh > \"${fpath[1]}/_kiln\"\n" +
			"  fish:  kiln completion fish > ~/.config/fish/completions/kiln.fish",
		ValidArgs: []string{"bash", "zsh", "fish"},
		Args: func(_ *cobra.Command, pos []string) error {
			if len(pos) != 1 || (pos[0] != "bash" && pos[0] != "zsh" && pos[0] != "fish") {
				return usageError{"kiln completion bash|zsh|fish: name one shell"}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, pos []string) error {
			root := cmd.Root()
			switch pos[0] {
			case "bash":
				return root.GenBashCompletionV2(c.stdout, true)
			case "zsh":
				return root.GenZshCompletion(c.stdout)
			}
			return root.GenFishCompletion(c.stdout, true)
		},
	}
}
