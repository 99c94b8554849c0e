package main

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestScore(t *testing.T) {
	for _, c := range []struct {
		t    Tally
		want float64
	}{
		{Tally{Killed: 8, Lived: 2}, 80},
		{Tally{Killed: 6, TimedOut: 2, Lived: 2}, 80},    // timed out counts as killed
		{Tally{Killed: 8, Lived: 2, NotCovered: 50}, 80}, // not covered is reported apart
		{Tally{Killed: 1, Lived: 3, NotViable: 9}, 25},   // not viable never counts
		{Tally{NotCovered: 3}, 100},                      // nothing to kill
		{Tally{Lived: 1}, 0},
	} {
		if got := c.t.Score(); got != c.want {
			t.Errorf("%+v: score %v, want %v", c.t, got, c.want)
		}
	}
}

func TestReportTally(t *testing.T) {
	const in = `{"files":[
	 {"file_name":"platform/registry/journal.go","mutations":[
	   {"line":10,"column":3,"type":"CONDITIONALS_NEGATION","status":"KILLED"},
	   {"line":12,"column":7,"type":"ARITHMETIC_BASE","status":"LIVED"},
	   {"line":14,"column":1,"type":"INVERT_NEGATIVES","status":"TIMED OUT"}]},
	 {"file_name":"/repo/platform/registry/registry.go","mutations":[
	   {"line":3,"column":2,"type":"INCREMENT_DECREMENT","status":"NOT COVERED"},
	   {"line":4,"column":2,"type":"INCREMENT_DECREMENT","status":"NOT VIABLE"},
	   {"line":5,"column":9,"type":"CONDITIONALS_BOUNDARY","status":"LIVED"}]}]}`
	var r report
	if err := json.Unmarshal([]byte(in), &r); err != nil {
		t.Fatal(err)
	}
	tally, lived := r.Tally(func(f string) string { return repoPath("/repo", "/repo", f) })
	if want := (Tally{Killed: 1, TimedOut: 1, Lived: 2, NotCovered: 1, NotViable: 1}); tally != want {
		t.Errorf("tally %+v, want %+v", tally, want)
	}
	want := []string{"platform/registry/journal.go:12:7 ARITHMETIC_BASE", "platform/registry/registry.go:5:9 CONDITIONALS_BOUNDARY"}
	if !reflect.DeepEqual(lived, want) {
		t.Errorf("lived %q, want %q", lived, want)
	}
}
