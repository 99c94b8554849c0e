package stacks

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Labels every stack image carries.
const (
	LabelStackID       = "io.buildpacks.stack.id"
	LabelDistroName    = "io.buildpacks.base.distro.name"
	LabelDistroVersion = "io.buildpacks.base.distro.version"
	LabelRebasable     = "io.buildpacks.rebasable"
	LabelPackages      = "dev.kiln.stack.packages"
)

// Image builds the OCI image (Docker v2s2 media types) of image name for
// the host's architecture.
func (s *Stack) Image(name, debCache string, progress io.Writer) (v1.Image, error) {
	return s.ImageFor(name, HostArch(), debCache, progress)
}

// ImageFor builds image name for arch ("amd64", "arm64") from that
// architecture's pinned .debs. The image carries its Debian package SBOM
// (SBOMCycloneDX, SBOMSPDX).
func (s *Stack) ImageFor(name, arch, debCache string, progress io.Writer) (v1.Image, error) {
	t, err := s.RootfsFor(name, arch, debCache, progress)
	if err != nil {
		return nil, err
	}
	pins, err := s.pins(name, arch)
	if err != nil {
		return nil, err
	}
	cdx, err := s.CycloneDX(name, arch, pins)
	if err != nil {
		return nil, err
	}
	spdx, err := s.SPDX(name, arch, pins)
	if err != nil {
		return nil, err
	}
	t.File(SBOMCycloneDX, 0o644, 0, 0, cdx)
	t.File(SBOMSPDX, 0o644, 0, 0, spdx)
	layer, err := t.Layer()
	if err != nil {
		return nil, err
	}
	img := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.DockerManifestSchema2), types.DockerConfigJSON)
	img, err = mutate.Append(img, mutate.Addendum{Layer: layer, History: v1.History{
		Created: v1.Time{Time: Epoch}, CreatedBy: "kiln stack build " + name, Comment: "Debian packages: see label " + LabelPackages}})
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", arch
	cf.Created = v1.Time{Time: Epoch}
	cf.Config.User = fmt.Sprintf("%d:%d", s.UID, s.GID)
	cf.Config.Env = []string{
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"CNB_USER_ID=" + strconv.Itoa(s.UID), "CNB_GROUP_ID=" + strconv.Itoa(s.GID), "CNB_STACK_ID=" + s.ID,
		"SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt",
	}
	im := s.Images[name]
	pkgs, err := packageReceipt(pins)
	if err != nil {
		return nil, err
	}
	cf.Config.Labels = map[string]string{
		LabelStackID: s.ID, LabelDistroName: s.Distro, LabelDistroVersion: s.DistroVersion,
		LabelPackages: pkgs, LabelSBOM: "/" + SBOMCycloneDX, "org.opencontainers.image.description": im.Description,
	}
	if im.Rebasable {
		cf.Config.Labels[LabelRebasable] = "true"
	}
	return mutate.ConfigFile(img, cf)
}

// packageReceipt is the JSON list of "name=version" the image was made from.
func packageReceipt(pins []Pin) (string, error) {
	var list []string
	for _, p := range pins {
		list = append(list, p.Name+"="+p.Version)
	}
	sort.Strings(list)
	b, err := json.Marshal(list)
	return string(b), err
}
