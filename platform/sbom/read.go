package sbom

import (
	"archive/tar"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"kiln.dev/kiln/platform/fsutil"
	"path"
	"sort"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Labels and paths this package reads.
const (
	LabelLifecycleMetadata = "io.buildpacks.lifecycle.metadata"
	LabelStackSBOM         = "dev.kiln.stack.sbom"
	// DefaultStackSBOM is where Kiln's stacks keep their CycloneDX SBOM.
	DefaultStackSBOM = "/cnb/stack/sbom.cdx.json"
	// maxFile bounds one SBOM document read from an image.
	maxFile = 64 << 20
)

// File is one SBOM document found in an image.
type File struct {
	// Path is where it is: layers/sbom/... for the CNB SBOM layer (the
	// layout `pack sbom download` writes), stack/sbom.<ext> for the stack's.
	Path string
	// Format is cyclonedx, spdx, syft or legacy.
	Format string
	Data   []byte
}

// Report is every SBOM of an image.
type Report struct {
	Files []File
}

type lifecycleMetadata struct {
	SBOM *struct {
		SHA string `json:"sha"`
	} `json:"sbom"`
	RunImage struct {
		TopLayer string `json:"topLayer"`
	} `json:"runImage"`
}

// Read collects the SBOMs of img. An image with neither a CNB SBOM layer nor
// a stack SBOM is an error saying so.
func Read(img v1.Image) (*Report, error) {
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	var md lifecycleMetadata
	if raw := cf.Config.Labels[LabelLifecycleMetadata]; raw != "" {
		if err := json.Unmarshal([]byte(raw), &md); err != nil {
			return nil, fmt.Errorf("label %s: %w", LabelLifecycleMetadata, err)
		}
	}
	r := &Report{}
	if md.SBOM != nil && md.SBOM.SHA != "" {
		files, err := sbomLayer(img, md.SBOM.SHA)
		if err != nil {
			return nil, err
		}
		r.Files = append(r.Files, files...)
	}
	stack, err := stackSBOM(img, cf, md.RunImage.TopLayer)
	if err != nil {
		return nil, err
	}
	r.Files = append(r.Files, stack...)
	if len(r.Files) == 0 {
		return nil, errors.New("the image carries no SBOM: no sbom layer in " + LabelLifecycleMetadata + " and no stack SBOM (was it built by a CNB lifecycle on a Kiln stack?)")
	}
	sort.Slice(r.Files, func(i, j int) bool { return r.Files[i].Path < r.Files[j].Path })
	return r, nil
}

// sbomLayer reads the lifecycle's SBOM layer (diff ID sha).
func sbomLayer(img v1.Image, sha string) ([]File, error) {
	h, err := v1.NewHash(sha)
	if err != nil {
		return nil, fmt.Errorf("label %s: sbom.sha %q: %w", LabelLifecycleMetadata, sha, err)
	}
	l, err := img.LayerByDiffID(h)
	if err != nil {
		return nil, fmt.Errorf("SBOM layer %s named by %s: %w", sha, LabelLifecycleMetadata, err)
	}
	var files []File
	err = walkLayer(l, func(name string, r io.Reader) error {
		rel, ok := strings.CutPrefix(name, "layers/sbom/")
		if !ok {
			return nil
		}
		format := formatOf(rel)
		if format == "" {
			return nil
		}
		b, err := readBounded(r, name)
		if err != nil {
			return err
		}
		files = append(files, File{Path: "layers/sbom/" + rel, Format: format, Data: b})
		return nil
	})
	return files, err
}

// stackSBOM reads the stack's SBOM documents from the run image's layers
// (those up to topLayer; all layers when the image is a stack image itself).
func stackSBOM(img v1.Image, cf *v1.ConfigFile, topLayer string) ([]File, error) {
	cdx := cf.Config.Labels[LabelStackSBOM]
	if cdx == "" {
		return nil, nil
	}
	cdx = strings.TrimPrefix(path.Clean("/"+cdx), "/")
	want := map[string]string{cdx: "cyclonedx", strings.TrimSuffix(cdx, "cdx.json") + "spdx.json": "spdx"}
	layers, err := img.Layers()
	if err != nil {
		return nil, err
	}
	n := len(layers)
	if topLayer != "" {
		for i, id := range cf.RootFS.DiffIDs {
			if id.String() == topLayer {
				n = i + 1
			}
		}
	}
	found := map[string][]byte{}
	for i := n - 1; i >= 0 && len(found) < len(want); i-- {
		err := walkLayer(layers[i], func(name string, r io.Reader) error {
			if _, ok := want[name]; !ok || found[name] != nil {
				return nil
			}
			b, err := readBounded(r, name)
			found[name] = b
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	var files []File
	for name, b := range found {
		files = append(files, File{Path: "stack/" + path.Base(name), Format: want[name], Data: b})
	}
	return files, nil
}

// walkLayer calls fn for each regular file of l with its cleaned relative
// name; names escaping the root are skipped.
func walkLayer(l v1.Layer, fn func(name string, r io.Reader) error) error {
	rc, err := l.Uncompressed()
	if err != nil {
		return err
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading layer: %w", err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		name, ok := cleanName(h.Name)
		if !ok {
			continue
		}
		if err := fn(name, tr); err != nil {
			return err
		}
	}
}

// cleanName makes a tar entry name relative and refuses ones with "..".
func cleanName(n string) (string, bool) {
	n = strings.TrimPrefix(n, "./")
	n = strings.TrimLeft(n, "/")
	for _, part := range strings.Split(n, "/") {
		if part == ".." {
			return "", false
		}
	}
	n = path.Clean(n)
	return n, n != "." && n != ""
}

func readBounded(r io.Reader, name string) ([]byte, error) {
	b, err := fsutil.ReadAtMost(r, maxFile)
	if errors.Is(err, fsutil.ErrTooLarge) {
		return nil, fmt.Errorf("SBOM %s is larger than %d MB: refused", name, maxFile>>20)
	}
	return b, err
}

// formatOf tells an SBOM file's format from its name.
func formatOf(name string) string {
	switch {
	case strings.HasSuffix(name, ".cdx.json"):
		return "cyclonedx"
	case strings.HasSuffix(name, ".spdx.json"):
		return "spdx"
	case strings.HasSuffix(name, ".syft.json"):
		return "syft"
	case strings.HasSuffix(name, "sbom.legacy.json"):
		return "legacy"
	}
	return ""
}
