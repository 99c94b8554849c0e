package daprwire

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	runtimev1 "github.com/dapr/dapr/pkg/proto/runtime/v1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// used is every field the framework's wire code (framework-templates/go/dapr
// wire.go) reads or writes, by message: the generated types the tests above
// use (this module's github.com/dapr/dapr) must number them as the daprd
// Kiln runs does.
var used = []struct {
	msg    proto.Message
	fields []string
}{
	{&runtimev1.InvokeBindingRequest{}, []string{"name", "data", "metadata", "operation"}},
	{&runtimev1.InvokeBindingResponse{}, []string{"data"}},
	{&runtimev1.PublishEventRequest{}, []string{"pubsub_name", "topic", "data", "data_content_type", "metadata"}},
	{&runtimev1.BindingEventRequest{}, []string{"name", "data", "metadata"}},
	{&runtimev1.BindingEventResponse{}, []string{"data"}},
	{&runtimev1.TopicEventRequest{}, []string{"id", "source", "type", "spec_version", "data_content_type", "data", "topic", "pubsub_name", "path", "extensions"}},
	{&runtimev1.TopicEventResponse{}, []string{"status"}},
	{&runtimev1.ListTopicSubscriptionsResponse{}, []string{"subscriptions"}},
	{&runtimev1.TopicSubscription{}, []string{"pubsub_name", "topic", "metadata"}},
	{&runtimev1.ListInputBindingsResponse{}, []string{"bindings"}},
}

// TestFieldNumbersMatchPinnedDaprd reads the .proto files of the daprd
// version platform/tools/build.sh pins (DAPR_VERSION, from the module
// cache) and checks that every field the framework uses has the number and
// kind there that the generated types give it, and that the pub/sub
// verdicts keep their values.
func TestFieldNumbersMatchPinnedDaprd(t *testing.T) {
	version := pinnedDaprd(t)
	dir := moduleDir(t, "github.com/dapr/dapr@v"+version)
	pinned := map[string]map[string]protoField{}
	for _, f := range []string{"appcallback.proto", "dapr.proto"} {
		p := filepath.Join(dir, "dapr", "proto", "runtime", "v1", f)
		msgs, err := parseProto(p)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range msgs {
			pinned[k] = v
		}
	}
	for _, u := range used {
		d := u.msg.ProtoReflect().Descriptor()
		fields, ok := pinned[string(d.Name())]
		if !ok {
			t.Errorf("message %s: not in daprd v%s's appcallback.proto or dapr.proto", d.Name(), version)
			continue
		}
		for _, name := range u.fields {
			gen := d.Fields().ByName(protoreflect.Name(name))
			if gen == nil {
				t.Errorf("%s.%s: not in the generated types", d.Name(), name)
				continue
			}
			got, ok := fields[name]
			switch {
			case !ok:
				t.Errorf("%s.%s: not in daprd v%s's .proto", d.Name(), name, version)
			case got.number != int(gen.Number()):
				t.Errorf("%s.%s: field %d in daprd v%s, %d in the generated types", d.Name(), name, got.number, version, gen.Number())
			case got.repeated != (gen.Cardinality() == protoreflect.Repeated && !gen.IsMap()):
				t.Errorf("%s.%s: repeated=%v in daprd v%s, not in the generated types", d.Name(), name, got.repeated, version)
			}
		}
	}
	status := pinned["TopicEventResponse.TopicEventResponseStatus"]
	for _, v := range []runtimev1.TopicEventResponse_TopicEventResponseStatus{runtimev1.TopicEventResponse_SUCCESS, runtimev1.TopicEventResponse_RETRY, runtimev1.TopicEventResponse_DROP} {
		if got, ok := status[v.String()]; !ok || got.number != int(v) {
			t.Errorf("TopicEventResponseStatus %s: %v in daprd v%s, %d in the generated types", v, got, version, v)
		}
	}
}

// pinnedDaprd is DAPR_VERSION from platform/tools/build.sh.
func pinnedDaprd(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "platform", "tools", "build.sh"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^DAPR_VERSION=([0-9.]+)$`).FindSubmatch(b)
	if m == nil {
		t.Fatal("platform/tools/build.sh: no DAPR_VERSION= line")
	}
	return string(m[1])
}

// moduleDir downloads (or finds in the module cache) mod@version.
func moduleDir(t *testing.T, modVersion string) string {
	t.Helper()
	cmd := exec.Command("go", "mod", "download", "-json", modVersion)
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go mod download %s: %v: %s", modVersion, err, out)
	}
	var info struct{ Dir, Error string }
	if err := json.Unmarshal(out, &info); err != nil || info.Dir == "" {
		t.Fatalf("go mod download %s: %v %s", modVersion, err, info.Error)
	}
	return info.Dir
}

type protoField struct {
	number   int
	repeated bool
}

var (
	blockRE = regexp.MustCompile(`^(message|enum|oneof)\s+(\w+)\s*\{`)
	fieldRE = regexp.MustCompile(`^(repeated\s+)?([\w.]+|map<[^>]+>)\s+(\w+)\s*=\s*(\d+)`)
	valueRE = regexp.MustCompile(`^(\w+)\s*=\s*(\d+)`)
)

// parseProto reads the fields of each message (oneof members included; a
// nested message or enum is its own entry, named Outer.Inner) and the
// values of each enum. It knows as much proto3 as Dapr's runtime files use,
// one declaration per line.
func parseProto(path string) (map[string]map[string]protoField, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]map[string]protoField{}
	type block struct{ kind, name string }
	var stack []block
	// owner is the innermost message or enum (oneof members belong to
	// it); none inside any other block.
	owner := func() (block, bool) {
		for i := len(stack) - 1; i >= 0; i-- {
			switch stack[i].kind {
			case "oneof":
				continue
			case "other":
				return block{}, false
			}
			return stack[i], true
		}
		return block{}, false
	}
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		s := strings.TrimSpace(sc.Text())
		if i := strings.Index(s, "//"); i >= 0 {
			s = strings.TrimSpace(s[:i])
		}
		opens, closes := strings.Count(s, "{"), strings.Count(s, "}")
		if m := blockRE.FindStringSubmatch(s); m != nil {
			name := m[2]
			if o, ok := owner(); ok && m[1] != "oneof" {
				name = o.name + "." + name
			}
			stack = append(stack, block{m[1], name})
			if m[1] != "oneof" {
				out[name] = map[string]protoField{}
			}
			opens--
		} else if o, ok := owner(); ok && opens == 0 {
			if m := valueRE.FindStringSubmatch(s); o.kind == "enum" && m != nil {
				n, _ := strconv.Atoi(m[2])
				out[o.name][m[1]] = protoField{number: n}
			} else if m := fieldRE.FindStringSubmatch(s); o.kind == "message" && m != nil {
				n, _ := strconv.Atoi(m[4])
				out[o.name][m[3]] = protoField{number: n, repeated: m[1] != ""}
			}
		}
		// Other blocks (service, rpc, option values) hold no fields.
		for range opens {
			stack = append(stack, block{"other", ""})
		}
		for range closes {
			if len(stack) == 0 {
				return nil, fmt.Errorf("%s:%d: unbalanced }", path, line)
			}
			stack = stack[:len(stack)-1]
		}
	}
	return out, sc.Err()
}
