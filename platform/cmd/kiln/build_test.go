package main

import (
	"testing"
)

func TestPortsFlag(t *testing.T) {
	var p portsFlag
	for _, v := range []string{"8080", "1"} {
		if err := p.Set(v); err != nil {
			t.Fatal(err)
		}
	}
	for _, bad := range []string{"0", "65536", "http", ""} {
		if err := p.Set(bad); err == nil {
			t.Errorf("--allow-host-port %q accepted", bad)
		}
	}
	if p.String() != "8080,1" {
		t.Fatalf("%q", p.String())
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
