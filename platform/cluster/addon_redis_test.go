package cluster

import (
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// The redis addon's objects are all in its namespace, the server takes
// its password from the Secret (never a literal), and the Service is the
// address functions are told.
func TestRedisManifest(t *testing.T) {
	const image = "127.0.0.1:5000/kiln/stack/redis@sha256:aa"
	got := map[string]map[string]any{}
	for _, part := range yamlDocSep.Split(redisManifest(image), -1) {
		var m map[string]any
		if err := yaml.Unmarshal([]byte(part), &m); err != nil {
			t.Fatalf("not YAML: %v\n%s", err, part)
		}
		md := m["metadata"].(map[string]any)
		if m["kind"] != "Namespace" && md["namespace"] != RedisNamespace {
			t.Errorf("%s %s in namespace %v, not %s", m["kind"], md["name"], md["namespace"], RedisNamespace)
		}
		got[m["kind"].(string)] = m
	}
	for _, k := range []string{"Namespace", "Deployment", "Service"} {
		if got[k] == nil {
			t.Fatalf("no %s", k)
		}
	}
	if RedisAddress != got["Service"]["metadata"].(map[string]any)["name"].(string)+"."+RedisNamespace+".svc.cluster.local:6379" {
		t.Errorf("RedisAddress %s is not the Service's", RedisAddress)
	}
	spec := got["Deployment"]["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)
	c := spec["containers"].([]any)[0].(map[string]any)
	args, _ := yaml.Marshal(c["args"])
	env, _ := yaml.Marshal(c["env"])
	for _, w := range []struct{ what, in, want string }{
		{"image", c["image"].(string), image},
		{"args", string(args), "- --requirepass\n- $(REDIS_PASSWORD)\n"},
		{"env", string(env), "secretKeyRef:\n      key: password\n      name: " + RedisSecret},
	} {
		if !strings.Contains(w.in, w.want) {
			t.Errorf("%s = %s, want it to hold %q", w.what, w.in, w.want)
		}
	}
	if s, err := redisSecret(); err != nil || len(s) < 64 || strings.Contains(redisManifest(image), "kind: Secret") {
		t.Errorf("the Secret is created apart (never applied over): %v", err)
	}
}
