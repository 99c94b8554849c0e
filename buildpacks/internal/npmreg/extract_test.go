package npmreg

import (
	"os"
	"path/filepath"
	"testing"

	"kiln.dev/kiln/platform/untar/untartest"
)

func TestBreakouts(t *testing.T) {
	for _, c := range untartest.Breakouts() {
		t.Run(c.Name, func(t *testing.T) {
			s := untartest.NewSandbox(t)
			c := c.Bind(s, "package/")
			tgz := filepath.Join(t.TempDir(), "evil.tgz")
			if err := os.WriteFile(tgz, untartest.Tgz(t, c.Entries), 0o644); err != nil {
				t.Fatal(err)
			}
			c.Check(t, s, Extract(tgz, s.Root, nil))
		})
	}
}
