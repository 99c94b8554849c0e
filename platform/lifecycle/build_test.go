package lifecycle

import (
	"reflect"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"kiln.dev/kiln/platform/imagefs"
	"kiln.dev/kiln/platform/sandbox"
)

func TestRepositoryIgnoresRegistryAndTag(t *testing.T) {
	if a, b := repository("127.0.0.1:1/hello:v1"), repository("127.0.0.1:2/hello:v2"); a != b || a != "hello" {
		t.Fatalf("%q %q", a, b)
	}
}

func TestUnreachableHostsSkipsAllowedPorts(t *testing.T) {
	env := map[string]string{"PIP_INDEX_URL": "http://127.0.0.1:4000/simple", "BP_MAVEN_MIRROR_URL": "http://127.0.0.1:5000", "FUNC_NAME": "x"}
	got := unreachableHosts(env, []int{5000})
	if len(got) != 1 || got[0].Env != "PIP_INDEX_URL" || got[0].Port != 4000 {
		t.Fatalf("%+v", got)
	}
}

func TestCreatorContainer(t *testing.T) {
	req := buildRequest{StateDir: "/s", CacheDir: "/c", LayoutDir: "/l", DepsDir: "/d", CABundle: "/s/ca.crt",
		Image: "127.0.0.1:5000/hello:latest", HostPorts: []int{4000}}
	b := &imagefs.Image{Rootfs: "/rootfs", Config: &v1.ConfigFile{Config: v1.Config{Env: []string{"CNB_USER_ID=1000", "PATH=/bin"}}}}
	c := creator(req, "/s/deps", b, 1000, 1001)
	if c.UID != 1000 || c.GID != 1001 || c.Rootfs != "/rootfs" || c.State != "/s/sandbox" {
		t.Fatalf("container %+v", c)
	}
	if !c.Net.Egress || !reflect.DeepEqual(c.Net.HostPorts, []int{4000}) || len(c.Net.Publish) != 0 {
		t.Fatalf("network %+v: a build gets egress and the allowed host ports, nothing published", c.Net)
	}
	want := []sandbox.Mount{
		{Source: "/s/workspace", Destination: "/workspace"},
		{Source: "/s/layers", Destination: "/layers"},
		{Source: "/s/platform", Destination: "/platform", ReadOnly: true, NoExec: true},
		{Source: "/c", Destination: "/cache"},
		{Source: "/l", Destination: "/layout", NoExec: true},
		{Source: "/s/deps", Destination: DepsMount},
		{Source: "/s/ca.crt", Destination: "/etc/ssl/certs/ca-certificates.crt", ReadOnly: true, NoExec: true},
	}
	if !reflect.DeepEqual(c.Mounts, want) {
		t.Fatalf("mounts\n%+v\nwant\n%+v", c.Mounts, want)
	}
	args := strings.Join(c.Args, " ")
	if !strings.HasPrefix(args, "/cnb/lifecycle/creator ") || !strings.Contains(args, "-uid 1000 -gid 1001") || !strings.HasSuffix(args, " 127.0.0.1:5000/hello:latest") {
		t.Fatalf("args %s", args)
	}
	env := strings.Join(c.Env, " ")
	for _, w := range []string{"CNB_USER_ID=1000", "CNB_PLATFORM_API=" + PlatformAPI, "CNB_USE_LAYOUT=true", "CNB_LAYOUT_DIR=/layout"} {
		if !strings.Contains(env, w) {
			t.Errorf("env lacks %s: %s", w, env)
		}
	}
	req.DepsDir, req.CABundle = "", ""
	if n := len(creator(req, "", b, 1000, 1001).Mounts); n != 5 {
		t.Fatalf("isolated cache, no CA: %d mounts, want 5", n)
	}
}
