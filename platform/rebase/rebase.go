package rebase

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/BurntSushi/toml"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"kiln.dev/kiln/platform/publish"
)

// PlatformAPI is the Platform API kiln speaks to the rebaser.
const PlatformAPI = "0.14"

// Options configures one rebase.
type Options struct {
	// Image is the app image (a fully qualified reference); the rebased
	// image is written to the same tag.
	Image string
	// RunImage is the new run image; empty re-resolves the run image the app
	// records (its tag may have moved).
	RunImage string
	// Force rebases onto a run image the app does not name (nor its mirrors).
	Force bool
	// Lifecycle is the pinned lifecycle binary (it serves every phase).
	Lifecycle string
	Target    publish.Target
	Out       io.Writer
}

// Result says what moved.
type Result struct {
	Before, After       v1.Hash
	RunBefore, RunAfter string
	// AppLayers are the diff IDs above the run image, unchanged.
	AppLayers []v1.Hash
}

// runImageMetadata is the part of io.buildpacks.lifecycle.metadata we read.
type runImageMetadata struct {
	RunImage struct {
		TopLayer  string `json:"topLayer"`
		Reference string `json:"reference"`
		Image     string `json:"image"`
	} `json:"runImage"`
}

// appLayers reads the app image's run image reference and the diff IDs above
// its top run image layer.
func appLayers(img v1.Image) (string, []v1.Hash, error) {
	cf, err := img.ConfigFile()
	if err != nil {
		return "", nil, err
	}
	raw := cf.Config.Labels["io.buildpacks.lifecycle.metadata"]
	if raw == "" {
		return "", nil, fmt.Errorf("no io.buildpacks.lifecycle.metadata label: not an image a CNB lifecycle built")
	}
	var md runImageMetadata
	if err := json.Unmarshal([]byte(raw), &md); err != nil {
		return "", nil, fmt.Errorf("label io.buildpacks.lifecycle.metadata: %w", err)
	}
	for i, id := range cf.RootFS.DiffIDs {
		if id.String() == md.RunImage.TopLayer {
			return md.RunImage.Reference, cf.RootFS.DiffIDs[i+1:], nil
		}
	}
	return "", nil, fmt.Errorf("run image top layer %s is not among the image's layers", md.RunImage.TopLayer)
}

// Rebase runs the rebaser and checks the result.
func Rebase(ctx context.Context, opts Options) (*Result, error) {
	before, err := opts.Target.Image(ctx, opts.Image, nil)
	if err != nil {
		return nil, err
	}
	res := &Result{}
	if res.Before, err = before.Digest(); err != nil {
		return nil, err
	}
	if res.RunBefore, res.AppLayers, err = appLayers(before); err != nil {
		return nil, fmt.Errorf("%s: %w", opts.Image, err)
	}
	refs := []string{opts.Image}
	args := []string{"-log-level", "warn", "-report"}
	tmp, err := os.MkdirTemp("", "kiln-rebase-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	args = append(args, filepath.Join(tmp, "report.toml"))
	if opts.RunImage != "" {
		args = append(args, "-run-image", opts.RunImage)
		refs = append(refs, opts.RunImage)
	}
	if opts.Force {
		args = append(args, "-force")
	}
	for _, r := range opts.Target.Insecure {
		args = append(args, "-insecure-registry", r)
	}
	auth, err := publish.RegistryAuth(opts.Target.Keys(), refs...)
	if err != nil {
		return nil, err
	}
	rebaser := filepath.Join(tmp, "rebaser")
	if err := os.Symlink(opts.Lifecycle, rebaser); err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, rebaser, append(args, opts.Image)...)
	cmd.Env = append(os.Environ(), "CNB_PLATFORM_API="+PlatformAPI, "CNB_REGISTRY_AUTH="+auth)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = io.MultiWriter(opts.Out, &out), io.MultiWriter(opts.Out, &out)
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(out.String())
		if strings.Contains(msg, "provide -force") {
			msg += "\n  the run image is not the one the app names (nor a mirror of it): pass --force to rebase onto it anyway"
		}
		return nil, fmt.Errorf("lifecycle rebaser %s: %v\n  %s", opts.Image, err, msg)
	}
	var report struct {
		Image struct {
			Digest string `toml:"digest"`
		} `toml:"image"`
	}
	if _, err := toml.DecodeFile(filepath.Join(tmp, "report.toml"), &report); err != nil {
		return nil, fmt.Errorf("reading the rebaser's report.toml: %w", err)
	}
	after, err := opts.Target.Image(ctx, repository(opts.Image)+"@"+report.Image.Digest, nil)
	if err != nil {
		return nil, err
	}
	if res.After, err = after.Digest(); err != nil {
		return nil, err
	}
	run, layers, err := appLayers(after)
	if err != nil {
		return nil, fmt.Errorf("rebased image: %w", err)
	}
	res.RunAfter = run
	if len(layers) != len(res.AppLayers) {
		return nil, fmt.Errorf("rebase changed the app layers: %d before, %d after", len(res.AppLayers), len(layers))
	}
	for i := range layers {
		if layers[i] != res.AppLayers[i] {
			return nil, fmt.Errorf("rebase changed app layer %d: %s became %s", i, res.AppLayers[i], layers[i])
		}
	}
	return res, nil
}

// repository strips a tag or digest from ref.
func repository(ref string) string {
	if i := strings.LastIndex(ref, "@"); i >= 0 {
		return ref[:i]
	}
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		return ref[:i]
	}
	return ref
}
