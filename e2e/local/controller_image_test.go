package local

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"sigs.k8s.io/e2e-framework/pkg/envconf"
	"sigs.k8s.io/e2e-framework/pkg/features"
)

var sizeLine = regexp.MustCompile(`size:\s+([0-9.]+) MB`)

// TestControllerImage builds Kiln's own controller with Kiln's Go builder
// (a plain program in a module that is part of a go.work), the way
// controller/config documents, and runs it.
func TestControllerImage(t *testing.T) {
	f := features.New("the controller image, built with builder-go").
		Assess("kiln build of ./controller/cmd/manager, source cleared, then kiln run", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			res := k.Run("build", repo, "--env", "BP_GO_TARGETS=./controller/cmd/manager", "--env", "BP_CLEAR_SOURCE=true", "--image", "e2e-kiln-controller")
			if res.Err() != nil {
				t.Fatal(res.Err())
			}
			t.Logf("controller image built in %s", res.Took)
			m := sizeLine.FindStringSubmatch(res.Output)
			if m == nil {
				t.Fatalf("no size in the output")
			}
			if mb, _ := strconv.ParseFloat(m[1], 64); mb > 30 {
				t.Fatalf("controller image is %s MB: BP_CLEAR_SOURCE should leave only the binary on run-static (~19 MB)", m[1])
			}
			run := k.Run("run", "e2e-kiln-controller", "--", "--help")
			if !strings.Contains(run.Output, "-default-builder") || !strings.Contains(run.Output, "-max-concurrent-reconciles") {
				t.Fatalf("kiln run e2e-kiln-controller -- --help:\n%s", run.Output)
			}
			return ctx
		}).Feature()
	testenv.Test(t, f)
}
