package registry

import (
	"reflect"
	"testing"
)

func TestRegistry(t *testing.T) {
	r := New[int]("hook")
	if err := r.Add("b", 2); err != nil {
		t.Fatal(err)
	}
	if err := r.Add("a", 1); err != nil {
		t.Fatal(err)
	}
	if err := r.Add("a", 3); err == nil || err.Error() != `hook "a" is registered twice` {
		t.Fatalf("second Add of a: %v", err)
	}
	if err := r.Add("", 4); err == nil || err.Error() != "a hook needs a non-empty name" {
		t.Fatalf("empty name: %v", err)
	}
	if v, ok := r.Get("a"); !ok || v != 1 {
		t.Fatalf("Get(a) = %d %v, want the first value, 1", v, ok)
	}
	if _, ok := r.Get("c"); ok {
		t.Fatal("Get(c) found a value nobody registered")
	}
	if got := r.Names(); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Fatalf("Names() = %v", got)
	}
	if got := New[int]("x").Names(); got == nil || len(got) != 0 {
		t.Fatalf("an empty registry lists %#v, want an empty non-nil slice", got)
	}
}
