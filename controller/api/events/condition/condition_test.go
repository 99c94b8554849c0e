package condition

import (
	"strings"
	"testing"
)

func TestEval(t *testing.T) {
	inputs := []string{"A", "B", "inputDemo"}
	ev := Env{
		Inputs:     map[string]bool{"A": true, "inputDemo": true},
		Attributes: map[string]string{"type": "cron.tick", "source": "s1", "extensions.tier": "gold"},
	}
	for _, tc := range []struct {
		src  string
		want bool
	}{
		{"A", true},
		{"B", false},
		{"inputDemo", true},
		{"A || B", true},
		{"A && B", false},
		{"B || A && inputDemo", true},
		{"(B || A) && !inputDemo", false},
		{"!B", true},
		{"!!B", false},
		{`type == "cron.tick"`, true},
		{`type != "cron.tick"`, false},
		{`"s1" == source`, true},
		{`A && source == 's1' && extensions.tier == "gold"`, true},
		{`extensions.missing == ""`, true},
		{`subject != ""`, false},
		{`type == source`, false},
		{`A && (type == "x" || extensions.tier == "gold")`, true},
		{`B || type == "cron\"tick"`, false},
	} {
		e, err := Parse(tc.src, inputs)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.src, err)
			continue
		}
		if got := e.Eval(ev); got != tc.want {
			t.Errorf("%q = %v, want %v", tc.src, got, tc.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"", "unexpected end"},
		{"C", `"C" at 0 is not an input of this Trigger (inputs: A, B)`},
		{"A &&", "unexpected end"},
		{"A & B", "unsupported character '&'"},
		{"A || (B", "want ) at 7"},
		{"A B", `unexpected "B" at 2`},
		{"type", "attribute type at 0 must be compared"},
		{`type > "a"`, "unsupported character '>'"},
		{`size(type) == "1"`, `"size" at 0 is not an input`},
		{`foo == "x"`, `"foo" at 0 is not a CloudEvent attribute`},
		{`type == "x`, "unterminated string"},
		{`type == `, "want an attribute or a string"},
		{`extensions. == "x"`, "not a CloudEvent attribute"},
		{`type == "a" == "b"`, `unexpected "=="`},
		{strings.Repeat("!", MaxDepth) + "A", "nested deeper than 64"},
		{strings.Repeat("(", 100000) + "A", "at most 4096"},
		{strings.Repeat("(", MaxDepth+1) + "A" + strings.Repeat(")", MaxDepth+1), "nested deeper than 64"},
	} {
		_, err := Parse(tc.src, []string{"A", "B"})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q) = %v, want an error containing %q", tc.src, err, tc.want)
		}
	}
}
