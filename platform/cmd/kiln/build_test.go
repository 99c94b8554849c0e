package main

import "testing"

func TestImageName(t *testing.T) {
	for dir, want := range map[string]string{
		"/src/samples/go/hello": "hello",
		"/src/My Function":      "my-function",
		"/src/__":               "app",
		"/x/Go.App_v2":          "go.app_v2",
	} {
		if got := imageName(dir); got != want {
			t.Errorf("imageName(%q) = %q, want %q", dir, got, want)
		}
	}
}

func TestRepositoryIgnoresRegistryAndTag(t *testing.T) {
	if a, b := repository("127.0.0.1:1/hello:v1"), repository("127.0.0.1:2/hello:v2"); a != b || a != "hello" {
		t.Fatalf("%q %q", a, b)
	}
}

func TestEnvFlag(t *testing.T) {
	var e envFlag
	t.Setenv("FROM_HOST", "yes")
	for _, v := range []string{"A=1", "B=x=y", "FROM_HOST"} {
		if err := e.Set(v); err != nil {
			t.Fatal(err)
		}
	}
	m := e.Map()
	if m["A"] != "1" || m["B"] != "x=y" || m["FROM_HOST"] != "yes" {
		t.Fatalf("%v", m)
	}
	if err := e.Set("NOT_SET_ANYWHERE_KILN"); err == nil {
		t.Fatal("want an error for an unset bare name")
	}
}
