package render

import (
	"strings"
	"testing"
)

func TestPinDigest(t *testing.T) {
	const d = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
	const old = "sha256:0000000000000000000000000000000000000000000000000000000000000000"
	for _, tc := range []struct{ image, want, err string }{
		{image: "registry.example.com/fn/hello", want: "registry.example.com/fn/hello@" + d},
		{image: "registry.example.com/fn/hello:v1", want: "registry.example.com/fn/hello@" + d},
		{image: "localhost:5000/fn/hello", want: "localhost:5000/fn/hello@" + d},
		{image: "localhost:5000/hello:v1", want: "localhost:5000/hello@" + d},
		{image: "localhost:5000/fn/hello:v1.2-rc", want: "localhost:5000/fn/hello@" + d},
		{image: "registry.example.com/fn/hello@" + old, want: "registry.example.com/fn/hello@" + d},
		{image: "localhost:5000/fn/hello:v1@" + old, want: "localhost:5000/fn/hello@" + d},
		{image: "hello:latest@" + old, want: "hello@" + d},
		{image: "hello", want: "hello@" + d},
		{image: "hello:v1", want: "hello@" + d},
		{image: "library/hello:v1", want: "library/hello@" + d},
		{image: "docker.io/library/hello:v1", want: "docker.io/library/hello@" + d},
		{image: "[::1]:5000/fn/hello:v1", want: "[::1]:5000/fn/hello@" + d},
		{image: "Registry.example.com/Fn/Hello", err: `spec.image "Registry.example.com/Fn/Hello" is not an image reference`},
		{image: "", err: `spec.image "" is not an image reference`},
		{image: "registry.example.com/fn/hello:v1:v2", err: "is not an image reference"},
	} {
		got, err := PinDigest(tc.image, d)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("PinDigest(%q) = %q, %v; want error %q", tc.image, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("PinDigest(%q) = %q, %v; want %q", tc.image, got, err, tc.want)
		}
	}
	for _, digest := range []string{"", "sha256:abc", "1111111111111111111111111111111111111111111111111111111111111111", "md5:x"} {
		if got, err := PinDigest("registry.example.com/fn/hello", digest); err == nil || !strings.Contains(err.Error(), "digest") {
			t.Errorf("digest %q: %q, %v; want an error naming the digest", digest, got, err)
		}
	}
}
