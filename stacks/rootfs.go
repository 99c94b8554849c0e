package stacks

import (
	"bytes"
	"fmt"
	"io"
)

// Rootfs assembles the file system of image name for the host's
// architecture from the cached .debs.
func (s *Stack) Rootfs(name, debCache string, progress io.Writer) (*Tree, error) {
	return s.RootfsFor(name, HostArch(), debCache, progress)
}

// pins returns the locked packages of image name for arch, in stack.toml order.
func (s *Stack) pins(name, arch string) ([]Pin, error) {
	im, ok := s.Images[name]
	if !ok {
		return nil, fmt.Errorf("stack %s has no image %q (images: %v)", s.ID, name, s.ImageNames())
	}
	lock := s.Locks[arch]
	var pins []Pin
	for _, pkg := range im.Packages {
		pin, ok := lock[pkg]
		if !ok {
			return nil, fmt.Errorf("package %s of image %s is not in %s/%s: run `kiln stack lock --arch %s`", pkg, name, s.Dir, LockFileFor(arch), arch)
		}
		pins = append(pins, pin)
	}
	return pins, nil
}

// RootfsFor assembles the file system of image name for arch ("amd64",
// "arm64") from the cached .debs of that architecture.
func (s *Stack) RootfsFor(name, arch, debCache string, progress io.Writer) (*Tree, error) {
	a, err := ArchNamed(arch)
	if err != nil {
		return nil, err
	}
	pins, err := s.pins(name, arch)
	if err != nil {
		return nil, err
	}
	im := s.Images[name]
	t := NewTree()
	only := a.expand(im.Only)
	if len(only) > 0 {
		// The CA bundle is generated from these, whatever the filter keeps.
		only = append(only, "usr/share/ca-certificates/")
	}
	exclude := a.expand(im.Exclude)
	if err := prefetch(debCache, pins, a, progress); err != nil {
		return nil, err
	}
	for _, pin := range pins {
		deb, err := fetchDeb(debCache, pin, a, progress)
		if err != nil {
			return nil, err
		}
		rc, err := DataTar(deb)
		if err != nil {
			return nil, err
		}
		err = t.AddTar(rc, only, exclude...)
		if cerr := rc.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, fmt.Errorf("unpacking %s: %w", deb, err)
		}
	}
	if err := s.addGenerated(t, im); err != nil {
		return nil, err
	}
	return t, nil
}

// addGenerated makes what Debian's maintainer scripts would: the CA bundle,
// users and groups, and the directories a CNB image needs.
func (s *Stack) addGenerated(t *Tree, im Image) error {
	var bundle bytes.Buffer
	for _, crt := range t.Glob("usr/share/ca-certificates/mozilla", ".crt") {
		b, _ := t.Read(crt)
		bundle.Write(bytes.TrimSpace(b))
		bundle.WriteString("\n")
	}
	if bundle.Len() == 0 {
		return fmt.Errorf("no CA certificates found: every stack image needs the ca-certificates package")
	}
	t.Remove("usr/share/ca-certificates")
	t.Remove("usr/sbin/update-ca-certificates")
	t.File("etc/ssl/certs/ca-certificates.crt", 0o644, 0, 0, bundle.Bytes())
	t.File("etc/passwd", 0o644, 0, 0, []byte(fmt.Sprintf(
		"root:x:0:0:root:/root:/sbin/nologin\ncnb:x:%d:%d:cnb:/home/cnb:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n", s.UID, s.GID)))
	t.File("etc/group", 0o644, 0, 0, []byte(fmt.Sprintf("root:x:0:\ncnb:x:%d:\nnogroup:x:65534:\n", s.GID)))
	if _, ok := t.Read("etc/os-release"); !ok {
		if _, ok := t.Read("usr/lib/os-release"); !ok {
			t.File("etc/os-release", 0o644, 0, 0, []byte(fmt.Sprintf("PRETTY_NAME=\"Kiln %s (%s %s)\"\nID=%s\nVERSION_ID=\"%s\"\n", s.ID, s.Distro, s.DistroVersion, s.Distro, s.DistroVersion)))
		}
	}
	t.Dir("tmp", 0o1777, 0, 0)
	t.Dir("root", 0o700, 0, 0)
	t.Dir("home/cnb", 0o755, s.UID, s.GID)
	if im.Shell {
		t.Symlink("bin/sh", "dash")
	}
	return nil
}
