package publish

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// ReleaseSchema is the version of the release manifest's format.
const ReleaseSchema = 1

// Release is the release manifest: every reference kiln publish pushed, by
// digest. It holds no timestamps, so the same inputs give the same bytes.
type Release struct {
	SchemaVersion int    `json:"schemaVersion"`
	Version       string `json:"version"`
	Registry      string `json:"registry"`
	// Lifecycle and Pack are the pinned CNB tools the builders were made with.
	Lifecycle string     `json:"lifecycle"`
	Pack      string     `json:"pack"`
	Platforms []string   `json:"platforms"`
	Images    []Artifact `json:"images"`
	Config    *Config    `json:"config,omitempty"`
}

// Artifact is one pushed multi-arch index.
type Artifact struct {
	// Kind is stack, buildpack, builder or controller.
	Kind string `json:"kind"`
	// Name is the stack image (run-static), buildpack id (kiln/go-dist),
	// builder (go) or controller (kiln-controller).
	Name       string   `json:"name"`
	Repository string   `json:"repository"`
	Tags       []string `json:"tags"`
	Digest     string   `json:"digest"`
	// Reference is repository@digest: what to pin and to copy.
	Reference string     `json:"reference"`
	MediaType string     `json:"mediaType"`
	Platforms []Platform `json:"platforms"`
	// RunImage is a builder's run image and its mirrors.
	RunImage *RunImage `json:"runImage,omitempty"`
}

// Platform is one architecture's image inside an index.
type Platform struct {
	OS           string `json:"os"`
	Architecture string `json:"architecture"`
	Digest       string `json:"digest"`
}

// RunImage is what a builder records as its run image.
type RunImage struct {
	Image   string   `json:"image"`
	Mirrors []string `json:"mirrors,omitempty"`
}

// Config is the controller's kustomize config pinned to this release.
type Config struct {
	// Dir, relative to the manifest's directory, holds a copy of
	// controller/config whose kustomization.yaml pins ControllerImage and
	// DefaultBuilder (kubectl apply -k <manifest dir>/<Dir>).
	Dir             string `json:"dir"`
	ControllerImage string `json:"controllerImage"`
	DefaultBuilder  string `json:"defaultBuilder"`
	// KustomizationSHA256 is the SHA-256 of Dir/kustomization.yaml.
	KustomizationSHA256 string `json:"kustomizationSHA256"`
}

// Find returns the artifact of kind and name.
func (r *Release) Find(kind, name string) (Artifact, bool) {
	for _, a := range r.Images {
		if a.Kind == kind && a.Name == name {
			return a, true
		}
	}
	return Artifact{}, false
}

// Write stores the manifest as indented JSON at path.
func (r *Release) Write(path string) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}

// ReadRelease reads a manifest Write stored, refusing other schemas.
func ReadRelease(path string) (*Release, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r Release
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("release manifest %s: %w", path, err)
	}
	if r.SchemaVersion != ReleaseSchema {
		return nil, fmt.Errorf("release manifest %s: schemaVersion %d, this kiln reads %d", path, r.SchemaVersion, ReleaseSchema)
	}
	return &r, nil
}
