package sbom

import (
	"fmt"
	"io"
	"strings"
)

// Origin says where a file of the report comes from: "buildpack kiln/go-build,
// layer app" for layers/sbom/launch/kiln_go-build/app/sbom.cdx.json (the
// lifecycle writes a buildpack id's "/" as "_"), "buildpack kiln/go-build" for
// a buildpack's launch.sbom.*, "the stack" for stack/..., "" otherwise.
func Origin(p string) string {
	if strings.HasPrefix(p, "stack/") {
		return "the stack"
	}
	rest, ok := strings.CutPrefix(p, "layers/sbom/launch/")
	if !ok {
		return ""
	}
	parts := strings.Split(rest, "/")
	bp := parts[0]
	if bp == "buildpacksio_lifecycle" {
		bp = "the lifecycle"
	} else {
		// ids are <namespace>/<name>; the lifecycle escapes the first "/".
		bp = "buildpack " + strings.Replace(bp, "_", "/", 1)
	}
	switch len(parts) {
	case 2:
		return bp
	case 3:
		return bp + ", layer " + parts[1]
	}
	return ""
}

// WriteSummary lists r for a person: each file with its origin, format and
// size, and for CycloneDX documents each component's name, version, purl,
// a checksum (the SHA-256 when it has one) and its go.sum-style h1: hash.
// A document that does not parse is named with the reason, not fatal.
func (r *Report) WriteSummary(w io.Writer) error {
	for _, f := range r.Files {
		line := fmt.Sprintf("%s (%s, %d bytes)", f.Path, f.Format, len(f.Data))
		if o := Origin(f.Path); o != "" {
			line += ": " + o
		}
		if _, err := fmt.Fprintln(w, line); err != nil {
			return err
		}
		if f.Format != "cyclonedx" {
			continue
		}
		comps, err := Components(f.Data)
		if err != nil {
			fmt.Fprintf(w, "    (unreadable: %v)\n", err)
			continue
		}
		if len(comps) == 0 {
			fmt.Fprintln(w, "    (no components)")
		}
		for _, c := range comps {
			if _, err := fmt.Fprintln(w, componentLine("    ", c)); err != nil {
				return err
			}
			for _, a := range c.From {
				if _, err := fmt.Fprintln(w, componentLine("      from ", a)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// componentLine is one component: name, version, purl, checksum and h1.
func componentLine(prefix string, c Component) string {
	s := prefix + c.Name
	if v := strings.TrimSpace(c.Version); v != "" {
		s += " " + v
	}
	for _, f := range []string{c.PURL, c.Checksum, c.H1} {
		if f != "" {
			s += "  " + f
		}
	}
	return s
}
