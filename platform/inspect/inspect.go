package inspect

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"kiln.dev/kiln/buildpacks/go-function/gofunction"
	"kiln.dev/kiln/platform/sbom"
)

// Labels kiln inspect reads besides the function contract's.
const (
	LabelBuildMetadata     = "io.buildpacks.build.metadata"
	LabelLifecycleMetadata = sbom.LabelLifecycleMetadata
	LabelStackID           = "io.buildpacks.stack.id"
	// maxLabel bounds a label kiln parses as JSON.
	maxLabel = 1 << 20
)

// Report is what kiln inspect prints.
type Report struct {
	Reference        string      `json:"reference"`
	Digest           string      `json:"digest,omitempty"`
	Platform         string      `json:"platform"`
	Created          time.Time   `json:"created"`
	Target           string      `json:"target,omitempty"`
	Signature        string      `json:"signature,omitempty"`
	Framework        string      `json:"framework,omitempty"`
	FrameworkVersion string      `json:"frameworkVersion,omitempty"`
	Stack            string      `json:"stack,omitempty"`
	RunImage         RunImage    `json:"runImage"`
	Buildpacks       []Buildpack `json:"buildpacks"`
	Processes        []Process   `json:"processes,omitempty"`
	SBOM             []SBOMFile  `json:"sbom"`
	SBOMError        string      `json:"sbomError,omitempty"`
}

// RunImage is the image the app sits on.
type RunImage struct {
	Image     string `json:"image,omitempty"`
	Reference string `json:"reference,omitempty"`
	TopLayer  string `json:"topLayer,omitempty"`
}

// Buildpack is one buildpack that contributed to the image.
type Buildpack struct {
	ID       string `json:"id"`
	Version  string `json:"version"`
	Homepage string `json:"homepage,omitempty"`
}

// Process is one launch process.
type Process struct {
	Type    string   `json:"type"`
	Command []string `json:"command"`
	Default bool     `json:"default,omitempty"`
}

// SBOMFile summarises one SBOM document.
type SBOMFile struct {
	Path       string `json:"path"`
	Format     string `json:"format"`
	Origin     string `json:"origin,omitempty"`
	Components int    `json:"components"`
}

type buildMetadata struct {
	Buildpacks []Buildpack `json:"buildpacks"`
	Processes  []struct {
		Type    string   `json:"type"`
		Command any      `json:"command"` // a string (Platform API < 0.10) or a list
		Args    []string `json:"args"`
		Default bool     `json:"default"`
	} `json:"processes"`
}

type lifecycleMetadata struct {
	RunImage RunImage `json:"runImage"`
	Stack    struct {
		RunImage struct {
			Image string `json:"image"`
		} `json:"runImage"`
	} `json:"stack"`
}

// Read reports on img, named ref.
func Read(ref string, img v1.Image) (*Report, error) {
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("%s: reading the image config: %w", ref, err)
	}
	l := cf.Config.Labels
	r := &Report{
		Reference: ref, Platform: cf.OS + "/" + cf.Architecture, Created: cf.Created.Time,
		Target: l[gofunction.LabelTarget], Signature: l[gofunction.LabelSignature],
		Framework: l[gofunction.LabelFramework], FrameworkVersion: l[gofunction.LabelFrameworkVersion],
		Stack: l[LabelStackID], Buildpacks: []Buildpack{}, SBOM: []SBOMFile{},
	}
	if cf.Variant != "" {
		r.Platform += "/" + cf.Variant
	}
	if d, err := img.Digest(); err == nil {
		r.Digest = d.String()
	}
	var bm buildMetadata
	if err := jsonLabel(l, LabelBuildMetadata, &bm); err != nil {
		return nil, fmt.Errorf("%s: %w", ref, err)
	}
	r.Buildpacks = append(r.Buildpacks, bm.Buildpacks...)
	for _, p := range bm.Processes {
		var cmd []string
		switch c := p.Command.(type) {
		case string:
			cmd = []string{c}
		case []any:
			for _, s := range c {
				cmd = append(cmd, fmt.Sprint(s))
			}
		}
		r.Processes = append(r.Processes, Process{Type: p.Type, Command: append(cmd, p.Args...), Default: p.Default})
	}
	var lm lifecycleMetadata
	if err := jsonLabel(l, LabelLifecycleMetadata, &lm); err != nil {
		return nil, fmt.Errorf("%s: %w", ref, err)
	}
	r.RunImage = lm.RunImage
	if r.RunImage.Image == "" {
		r.RunImage.Image = lm.Stack.RunImage.Image
	}
	rep, err := sbom.Read(img)
	if err != nil {
		r.SBOMError = err.Error()
		return r, nil
	}
	for _, f := range rep.Files {
		s := SBOMFile{Path: f.Path, Format: f.Format, Origin: sbom.Origin(f.Path)}
		if f.Format == "cyclonedx" {
			if comps, err := sbom.Components(f.Data); err == nil {
				s.Components = len(comps)
			}
		}
		r.SBOM = append(r.SBOM, s)
	}
	return r, nil
}

// jsonLabel decodes label name of l into v; an absent label leaves v alone.
func jsonLabel(l map[string]string, name string, v any) error {
	raw, ok := l[name]
	if !ok || raw == "" {
		return nil
	}
	if len(raw) > maxLabel {
		return fmt.Errorf("label %s: larger than %d bytes", name, maxLabel)
	}
	if err := json.Unmarshal([]byte(raw), v); err != nil {
		return fmt.Errorf("label %s: not the JSON the lifecycle writes: %w", name, err)
	}
	return nil
}

// WriteText prints r for a person.
func (r *Report) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(k, v string) {
		if v == "" {
			v = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\n", k, v)
	}
	row("Image:", r.Reference)
	row("Digest:", r.Digest)
	row("Platform:", r.Platform)
	if !r.Created.IsZero() {
		row("Created:", r.Created.UTC().Format(time.RFC3339))
	}
	row("Target:", r.Target)
	row("Signature:", r.Signature)
	if r.Framework != "" {
		row("Framework:", r.Framework)
	}
	row("Framework version:", r.FrameworkVersion)
	row("Stack:", r.Stack)
	run := r.RunImage.Image
	if r.RunImage.Reference != "" && r.RunImage.Reference != run {
		run += " (" + r.RunImage.Reference + ")"
	}
	row("Run image:", run)
	tw.Flush()
	fmt.Fprintln(w, "Buildpacks:")
	if len(r.Buildpacks) == 0 {
		fmt.Fprintln(w, "  - (none recorded)")
	}
	for _, b := range r.Buildpacks {
		fmt.Fprintf(w, "  %s@%s\n", b.ID, b.Version)
	}
	if len(r.Processes) > 0 {
		fmt.Fprintln(w, "Processes:")
		for _, p := range r.Processes {
			def := ""
			if p.Default {
				def = " (default)"
			}
			fmt.Fprintf(w, "  %s%s: %s\n", p.Type, def, strings.Join(p.Command, " "))
		}
	}
	fmt.Fprintln(w, "SBOM:")
	if r.SBOMError != "" {
		fmt.Fprintf(w, "  none: %s\n", r.SBOMError)
		return nil
	}
	for _, f := range r.SBOM {
		line := fmt.Sprintf("  %s (%s", f.Path, f.Format)
		if f.Format == "cyclonedx" {
			line += fmt.Sprintf(", %d components", f.Components)
		}
		line += ")"
		if f.Origin != "" {
			line += ": " + f.Origin
		}
		fmt.Fprintln(w, line)
	}
	fmt.Fprintln(w, "  (kiln sbom IMAGE lists every component)")
	return nil
}
