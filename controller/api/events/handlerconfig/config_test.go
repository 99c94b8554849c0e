package handlerconfig

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct{ raw, want string }{
		{`{"kind":"EventSource","namespace":"d","name":"n","pubsub":"bus","sources":[{"event":"e","kind":"cron","route":"/r"}]}`, ""},
		{`{"kind":"Trigger","pubsub":"bus","inputs":[{"name":"A","topic":"t","route":"/r"}],"subscribers":[{"condition":"A","topic":"x"}]}`, ""},
		{`{"kind":"EventSource","sources":[{"event":"e"}]}`, "needs pubsub or sinkURL"},
		{`{"kind":"EventSource","pubsub":"bus"}`, "needs sources"},
		{`{"kind":"Trigger","pubsub":"bus"}`, "needs pubsub, inputs and subscribers"},
		{`{"kind":"Function"}`, `kind "Function"`},
		{`{"kind":"Trigger","extra":1}`, `unknown field "extra"`},
		{`not json`, "EVENTS_CONFIG: decoding"},
	} {
		_, err := Parse(tc.raw)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("Parse(%s) = %v, want %q", tc.raw, err, tc.want)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	c := &Config{Kind: KindTrigger, Namespace: "d", Name: "n", PubSub: "bus", InputWindow: "5s",
		Inputs: []Input{{Name: "A", Topic: "t", Route: "/inputs/A"}}, Subscribers: []Subscriber{{Condition: "A && B", Topic: "x"}}}
	t.Setenv(Env, c.JSON())
	got, err := FromEnv()
	if err != nil || got.JSON() != c.JSON() {
		t.Fatalf("FromEnv = %+v, %v", got, err)
	}
	t.Setenv(Env, "")
	if _, err := FromEnv(); err == nil || !strings.Contains(err.Error(), "EVENTS_CONFIG is not set") {
		t.Errorf("unset: %v", err)
	}
}
