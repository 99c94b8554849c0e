package localrun

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kiln.dev/kiln/platform/envfile"
)

func TestMergeEnv(t *testing.T) {
	for _, tc := range []struct {
		files [][]envfile.Var
		flags []string
		want  string
	}{
		{nil, []string{"A=1"}, "A=1"},
		{[][]envfile.Var{{{Name: "A", Value: "file"}, {Name: "B", Value: "file"}}}, []string{"A=flag", "C=1"}, "B=file A=flag C=1"},
		{[][]envfile.Var{{{Name: "A", Value: "1"}}, {{Name: "A", Value: "2"}}}, nil, "A=2"},
		{nil, []string{"X=a=b", "X=c"}, "X=c"},
	} {
		if got := strings.Join(MergeEnv(tc.files, tc.flags), " "); got != tc.want {
			t.Errorf("MergeEnv(%v, %q) = %s, want %s", tc.files, tc.flags, got, tc.want)
		}
	}
}

// Dapr's flags are checked before anything starts, naming the flag.
func TestDaprCheck(t *testing.T) {
	for _, tc := range []struct {
		d    Dapr
		env  []string
		want string
	}{
		{Dapr{Dir: "c", FuncContext: "{}"}, nil, ""},
		{Dapr{Dir: "c"}, []string{"FUNC_CONTEXT={}"}, ""},
		{Dapr{Dir: "c", Protocol: "http", FuncContext: "f.json"}, nil, ""},
		{Dapr{Dir: "c"}, nil, "--dapr needs the function's FUNC_CONTEXT"},
		{Dapr{Dir: "c", Protocol: "tcp", FuncContext: "{}"}, nil, `--app-protocol="tcp": use grpc or http`},
	} {
		err := tc.d.Check(tc.env)
		if (tc.want == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v.Check(%q) = %v, want %q", tc.d, tc.env, err, tc.want)
		}
	}
}

func TestDaprAppIDAndFuncContext(t *testing.T) {
	for image, want := range map[string]string{
		"hello":                             "hello",
		"127.0.0.1:5000/team/orders:v1":     "orders",
		"reg.example.com/x/sub@sha256:abcd": "sub",
	} {
		if got := (Dapr{}).appID(image); got != want {
			t.Errorf("appID(%q) = %q, want %q", image, got, want)
		}
	}
	if got := (Dapr{AppID: "mine"}).appID("x/y"); got != "mine" {
		t.Errorf("--app-id ignored: %q", got)
	}
	file := filepath.Join(t.TempDir(), "fc.json")
	os.WriteFile(file, []byte(`{"name":"f"}`), 0o644)
	for _, tc := range []struct {
		d    Dapr
		env  []string
		want string
	}{
		{Dapr{}, []string{"FUNC_CONTEXT={\"env\":1}"}, `{"env":1}`},
		{Dapr{FuncContext: ` {"inline":1}`}, []string{"FUNC_CONTEXT=ignored"}, ` {"inline":1}`},
		{Dapr{FuncContext: file}, nil, `{"name":"f"}`},
	} {
		if got, err := tc.d.funcContext(tc.env); err != nil || got != tc.want {
			t.Errorf("funcContext(%+v, %q) = %q, %v; want %q", tc.d, tc.env, got, err, tc.want)
		}
	}
	if _, err := (Dapr{FuncContext: "/nonexistent.json"}).funcContext(nil); err == nil || !strings.Contains(err.Error(), "--func-context") {
		t.Errorf("a missing file: %v", err)
	}
}
