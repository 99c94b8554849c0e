package hostports

import (
	"reflect"
	"testing"
)

func TestFind(t *testing.T) {
	for _, c := range []struct {
		name string
		env  map[string]string
		want []Named
	}{
		{"index URL", map[string]string{"PIP_INDEX_URL": "http://127.0.0.1:4000/simple", "FUNC_NAME": "hello"},
			[]Named{{"PIP_INDEX_URL", "127.0.0.1:4000", 4000}}},
		{"default ports, localhost, IPv6, lists",
			map[string]string{"GOPROXY": "http://localhost,https://proxy.golang.org,direct", "NPM_CONFIG_REGISTRY": "https://[::1]/"},
			[]Named{{"GOPROXY", "localhost:80", 80}, {"NPM_CONFIG_REGISTRY", "[::1]:443", 443}}},
		{"bare host:port and an OTLP endpoint", map[string]string{"DB": "127.0.0.1:5432", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:43175"},
			[]Named{{"DB", "127.0.0.1:5432", 5432}, {"OTEL_EXPORTER_OTLP_ENDPOINT", "127.0.0.1:43175", 43175}}},
		{"JSON with a loopback URL inside", map[string]string{"FUNC_CONTEXT": `{"url":"http://127.0.0.1:7000/x","port":"8080"}`},
			[]Named{{"FUNC_CONTEXT", "127.0.0.1:7000", 7000}}},
		{"remote hosts, bare numbers, unknown schemes without a port", map[string]string{
			"GOPROXY": "https://proxy.golang.org", "PORT": "8080", "X": "mqtt://localhost", "Y": "10.0.0.1:80"}, nil},
		{"Dapr's ports on the default DAPR_HOST", map[string]string{"DAPR_HTTP_PORT": "3500", "DAPR_GRPC_PORT": "50001"},
			[]Named{{"DAPR_GRPC_PORT", "127.0.0.1:50001", 50001}, {"DAPR_HTTP_PORT", "127.0.0.1:3500", 3500}}},
		{"Dapr's port on a loopback DAPR_HOST", map[string]string{"DAPR_HOST": "localhost", "DAPR_GRPC_PORT": "50001"},
			[]Named{{"DAPR_GRPC_PORT", "localhost:50001", 50001}}},
		{"Dapr's ports on a remote DAPR_HOST", map[string]string{"DAPR_HOST": "10.0.0.5", "DAPR_HTTP_PORT": "3500"}, nil},
		{"Dapr's ports that are not ports", map[string]string{"DAPR_HTTP_PORT": "0", "DAPR_GRPC_PORT": "x"}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := Find(c.env); !reflect.DeepEqual(got, c.want) {
				t.Fatalf("got %+v\nwant %+v", got, c.want)
			}
		})
	}
}

func TestPorts(t *testing.T) {
	got := Ports([]Named{{Port: 9}, {Port: 3}, {Port: 9}})
	if !reflect.DeepEqual(got, []int{3, 9}) {
		t.Fatalf("%v", got)
	}
}
