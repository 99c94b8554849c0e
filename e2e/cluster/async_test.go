package cluster

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/redis/go-redis/v9"
	"sigs.k8s.io/e2e-framework/pkg/envconf"
	"sigs.k8s.io/e2e-framework/pkg/features"

	"kiln.dev/kiln/platform/cluster"
	"kiln.dev/kiln/platform/registry"
)

// The async feature's Function: samples/go/async-subscriber (an order in,
// a receipt out) on Redis Streams, in its own namespace.
const (
	asyncNS      = "async"
	asyncFn      = "order-receipts"
	ordersStream = "orders"   // the input topic: Dapr's Redis pub/sub reads the stream of that name
	receiptsOut  = "receipts" // the output topic (stream)
	// asyncCooldown is the ScaledObject's cooldownPeriod (seconds): how
	// long after the last message KEDA waits before it scales to zero.
	asyncCooldown = 10
	// asyncBurst is how many orders the throughput phase adds at once:
	// enough to keep one replica busy past the HPA's 15 s sync, so KEDA's
	// external metric (through the aggregation layer) scales it up.
	asyncBurst = 20000
)

// asyncServing is the spec.serving a user gives kiln deploy --serving:
// a Deployment with Dapr's sidecar (pub/sub orders in, receipts out, both
// on the redis addon's Redis with the password from the namespace's
// Secret) scaled by KEDA on the consumer group's lag (redis-streams,
// lagCount), from zero, with 1 s polling and a short cooldown; and the
// TriggerAuthentication KEDA reads the password with.
func asyncServing() (serving, triggerAuth string) {
	r := strings.NewReplacer("@NAME@", asyncFn, "@NS@", asyncNS, "@ADDR@", cluster.RedisAddress,
		"@SECRET@", cluster.RedisSecret, "@COOLDOWN@", strconv.Itoa(asyncCooldown))
	return r.Replace(`pubsub:
  orders:
    type: pubsub.redis
    version: v1
    metadata:
    - {name: redisHost, value: "@ADDR@"}
    - {name: redisPassword, secretKeyRef: {name: @SECRET@, key: password}}
    - {name: consumerID, value: @NAME@}
  receipts:
    type: pubsub.redis
    version: v1
    metadata:
    - {name: redisHost, value: "@ADDR@"}
    - {name: redisPassword, secretKeyRef: {name: @SECRET@, key: password}}
triggers:
  dapr: [{name: orders, topic: orders}]
outputs:
- dapr: {name: receipts, topic: receipts}
scaleOptions:
  minReplicas: 0
  maxReplicas: 3
  keda:
    scaledObject: {pollingInterval: 1, cooldownPeriod: @COOLDOWN@}
    triggers:
    - type: redis-streams
      metadata: {address: "@ADDR@", stream: orders, consumerGroup: @NAME@, lagCount: "20"}
      authenticationRef: {name: @SECRET@}
`), r.Replace(`apiVersion: keda.sh/v1alpha1
kind: TriggerAuthentication
metadata: {name: @SECRET@, namespace: @NS@}
spec:
  secretTargetRef: [{parameter: password, name: @SECRET@, key: password}]
`)
}

// asyncFeature: Up with dapr, keda and redis (and kiln), then the user's
// steps: the Redis password copied into the Function's namespace, the
// consumer group made, the Function applied; built and Ready, it sits at 0
// replicas; one order at zero (cold: order → receipt), then warm ones, then
// a burst (scaled up; throughput), every order's receipt exactly once and
// nothing pending, and back to 0 after the cooldown.
func asyncFeature() features.Feature {
	var rdb *redis.Client
	var kiln string
	return features.New("async: a Function on Dapr and KEDA, scaled from zero by Redis Streams").
		Assess("up --with kiln,dapr,keda,redis", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			seedBuilders(t, o)
			seedRedisImage(t)
			if os.Getenv("KILN_DAPRD") == "" {
				// The sidecar image holds the tools' daprd: rebuilt when
				// its main.go changed (the components it registers).
				build := exec.Command("bash", filepath.Join(repoRoot, "platform", "tools", "build.sh"), "daprd")
				build.Env = append(os.Environ(), "KILN_TOOLS="+o.Tools)
				if out, err := build.CombinedOutput(); err != nil {
					t.Fatalf("build.sh daprd: %v\n%s", err, out)
				}
			}
			o2 := o
			o2.Addons = []string{cluster.AddonKiln, cluster.AddonDapr, cluster.AddonKEDA, cluster.AddonRedis}
			o2.KilnSource = repoRoot
			t0 := time.Now()
			if err := cluster.Up(o2); err != nil {
				t.Fatalf("up --with kiln,dapr,keda,redis: %v", err)
			}
			t.Logf("up --with kiln,dapr,keda,redis (node running): %s", time.Since(t0).Round(time.Millisecond))
			kiln = buildKiln(t)
			// The aggregation layer serves KEDA's external metrics API.
			until(t, "external.metrics.k8s.io served by KEDA", 2*time.Minute, func() error {
				out, err := kubectl("", "get", "apiservice", "v1beta1.external.metrics.k8s.io", "-o", "jsonpath={.status.conditions[?(@.type=='Available')].status}")
				if err == nil && strings.TrimSpace(out) != "True" {
					err = fmt.Errorf("APIService Available=%q", out)
				}
				return err
			})
			return ctx
		}).
		Assess("Redis reachable with the addon's password", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			rdb = redisClient(t)
			if _, err := redis.NewClient(&redis.Options{Addr: rdb.Options().Addr}).Ping(ctx).Result(); err == nil || !strings.Contains(err.Error(), "NOAUTH") {
				t.Fatalf("Redis answered PING without the password: %v", err)
			}
			return ctx
		}).
		Assess("deploy: built, Ready, 0 replicas with no messages", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			if rdb == nil {
				t.Skip("no Redis")
			}
			deployAsync(t, ctx, kiln, rdb)
			return ctx
		}).
		Assess("orders: cold, warm, a burst; each receipt once; back to 0", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			if rdb == nil {
				t.Skip("no Redis")
			}
			runOrders(t, ctx, rdb)
			if _, err := kubectl("", "-n", asyncNS, "delete", "function", asyncFn, "--wait=false"); err != nil {
				t.Fatal(err)
			}
			until(t, "the Function's Deployment, ScaledObject and Components to be gone", 2*time.Minute, func() error {
				out, err := kubectl("", "-n", asyncNS, "get", "deployments,scaledobjects.keda.sh,components.dapr.io", "-o", "name")
				if err == nil && strings.TrimSpace(out) != "" {
					err = fmt.Errorf("left: %s", strings.Join(strings.Fields(out), " "))
				}
				return err
			})
			rdb.Close()
			return ctx
		}).Feature()
}

// seedRedisImage makes sure kiln's registry of the node has the redis
// service image: copied from KILN_E2E_CLUSTER_IMAGE_FROM when that has it.
func seedRedisImage(t *testing.T) {
	t.Helper()
	const repo = "kiln/stack/redis:services"
	dst, err := registry.OpenWith(o.RegistryDir, registry.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	src, err := registry.OpenWith(imageFrom(), registry.Options{})
	if err == nil {
		defer src.Close()
		if img, err := remote.Image(mustRef(t, src.Addr+"/"+repo)); err == nil {
			if err := remote.Write(mustRef(t, dst.Addr+"/"+repo), img, dst.RemoteOptions()...); err != nil {
				t.Fatal(err)
			}
			return
		}
	}
	if _, err := remote.Head(mustRef(t, dst.Addr+"/"+repo)); err != nil {
		t.Fatalf("%s is neither in %s nor in %s: run `kiln stack build --stack stacks/services`: %v", repo, imageFrom(), o.RegistryDir, err)
	}
}

// redisClient reaches the addon's Redis at its ClusterIP (the host routes
// there through kube-proxy) with the password from its Secret.
func redisClient(t *testing.T) *redis.Client {
	t.Helper()
	ip, err := kubectl("", "-n", cluster.RedisNamespace, "get", "service", cluster.RedisService, "-o", "jsonpath={.spec.clusterIP}")
	if err != nil {
		t.Fatal(err)
	}
	pw := redisPassword(t)
	c := redis.NewClient(&redis.Options{Addr: strings.TrimSpace(ip) + ":6379", Password: pw})
	until(t, "Redis to answer PING", time.Minute, func() error { return c.Ping(context.Background()).Err() })
	return c
}

func redisPassword(t *testing.T) string {
	t.Helper()
	b64, err := kubectl("", "-n", cluster.RedisNamespace, "get", "secret", cluster.RedisSecret, "-o", "jsonpath={.data.password}")
	if err != nil {
		t.Fatal(err)
	}
	pw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
	if err != nil || len(pw) < 32 {
		t.Fatalf("secret %s/%s: password %d bytes (%v)", cluster.RedisNamespace, cluster.RedisSecret, len(pw), err)
	}
	return string(pw)
}

// deployAsync does what a user does: the namespace with a copy of the
// Redis password and KEDA's TriggerAuthentication, the consumer group (so
// KEDA measures its lag from the first message), then kiln deploy
// --serving; then it waits for KEDA to take the Deployment to 0.
func deployAsync(t *testing.T, ctx context.Context, kiln string, rdb *redis.Client) {
	t.Helper()
	serving, auth := asyncServing()
	secret := fmt.Sprintf("apiVersion: v1\nkind: Namespace\nmetadata: {name: %s}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: %s, namespace: %s}\nstringData: {password: %q}\n---\n%s",
		asyncNS, cluster.RedisSecret, asyncNS, redisPassword(t), auth)
	if _, err := kubectl(secret, "apply", "-f", "-"); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{ordersStream, receiptsOut} {
		rdb.Del(ctx, s)
	}
	if err := rdb.XGroupCreateMkStream(ctx, ordersStream, asyncFn, "0").Err(); err != nil {
		t.Fatalf("XGROUP CREATE %s %s: %v", ordersStream, asyncFn, err)
	}
	dir := t.TempDir()
	sf := filepath.Join(dir, "serving.yaml")
	if err := os.WriteFile(sf, []byte(serving), 0o644); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(dir, "async-subscriber")
	copyDir(t, filepath.Join(repoRoot, "samples", "go", "async-subscriber"), src)
	r := runDeploy(t, kiln, deployArgs{dir: src, target: "Receive", name: asyncFn, ns: asyncNS,
		flags: []string{"-e", "FUNC_SIGNATURE_TYPE=openfunction", "--serving", sf}})
	if r.err != nil {
		diagnoseAsync(t)
		t.Fatalf("kiln deploy --serving: %v\nstdout: %s", r.err, r.stdout)
	}
	if strings.TrimSpace(r.stdout) != "" {
		t.Errorf("kiln deploy printed a URL for an async Function: %q", r.stdout)
	}
	t.Logf("kiln deploy --serving: apply -> Ready %s (built by Shipwright; Deployment + ScaledObject + Components), in all %s",
		r.end.Sub(r.applied).Round(time.Millisecond), r.end.Sub(r.start).Round(time.Millisecond))
	// Its pod got Dapr's sidecar from the injector.
	until(t, "a pod with the daprd sidecar, or the Deployment at 0", 3*time.Minute, func() error {
		out, err := kubectl("", "-n", asyncNS, "get", "deployment", asyncFn, "-o", "jsonpath={.spec.replicas}")
		if err != nil {
			return err
		}
		if strings.TrimSpace(out) == "0" {
			return nil
		}
		c, err := kubectl("", "-n", asyncNS, "get", "pods", "-l", "core.kiln.dev/function="+asyncFn, "-o", "jsonpath={.items[*].spec.containers[*].name}")
		if err != nil {
			return err
		}
		if !strings.Contains(c, "daprd") {
			return fmt.Errorf("pod containers %q: no daprd", c)
		}
		return nil
	})
	t1 := time.Now()
	if err := waitZero(5 * time.Minute); err != nil {
		diagnoseAsync(t)
		t.Fatalf("no messages: the Deployment did not go to 0: %v", err)
	}
	t.Logf("no messages -> 0 replicas %s after Ready", time.Since(t1).Round(time.Millisecond))
}

// waitZero waits until the Deployment wants 0 replicas and has no pod left.
func waitZero(timeout time.Duration) error {
	return poll(timeout, func() error {
		out, err := kubectl("", "-n", asyncNS, "get", "deployment", asyncFn, "-o", "jsonpath={.spec.replicas} {.status.replicas}")
		if err != nil {
			return err
		}
		if f := strings.Fields(out); len(f) == 0 || f[0] != "0" || (len(f) > 1 && f[1] != "0") {
			return fmt.Errorf("replicas (spec status) %q", out)
		}
		pods, err := kubectl("", "-n", asyncNS, "get", "pods", "-l", "core.kiln.dev/function="+asyncFn, "-o", "name")
		if err == nil && strings.TrimSpace(pods) != "" {
			err = fmt.Errorf("pods left: %s", strings.Join(strings.Fields(pods), " "))
		}
		return err
	})
}

// order is the input CloudEvent (what a Dapr publisher writes to the
// stream: its JSON in the entry's data field) for one order.
func order(id string, items int) map[string]any {
	ce := fmt.Sprintf(`{"specversion":"1.0","id":%q,"source":"e2e/cluster","type":"com.example.order","datacontenttype":"application/json","topic":"orders","pubsubname":"orders","data":{"id":%q,"items":%d}}`, id, id, items)
	return map[string]any{"data": ce}
}

// receiptOrders reads the receipts stream: each entry's order id (the
// data of the CloudEvent Dapr published), in order.
func receiptOrders(ctx context.Context, rdb *redis.Client) ([]string, error) {
	es, err := rdb.XRange(ctx, receiptsOut, "-", "+").Result()
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, e := range es {
		raw, _ := e.Values["data"].(string)
		var ce struct {
			Data       json.RawMessage `json:"data"`
			DataBase64 string          `json:"data_base64"`
		}
		if err := json.Unmarshal([]byte(raw), &ce); err != nil {
			return nil, fmt.Errorf("receipt %s: not a CloudEvent: %q", e.ID, raw)
		}
		data := []byte(ce.Data)
		if ce.DataBase64 != "" {
			if data, err = base64.StdEncoding.DecodeString(ce.DataBase64); err != nil {
				return nil, fmt.Errorf("receipt %s: data_base64: %w", e.ID, err)
			}
		}
		var s string
		if json.Unmarshal(data, &s) == nil {
			data = []byte(s)
		}
		var r struct {
			Order string `json:"order"`
			Topic string `json:"topic"`
		}
		if err := json.Unmarshal(data, &r); err != nil || r.Order == "" || r.Topic != ordersStream {
			return nil, fmt.Errorf("receipt %s: data %q is not a receipt for topic %s", e.ID, data, ordersStream)
		}
		ids = append(ids, r.Order)
	}
	return ids, nil
}

// waitReceipts polls (every 20 ms) until the receipts stream has n
// entries; it returns when it saw them.
func waitReceipts(ctx context.Context, rdb *redis.Client, n int64, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		l, err := rdb.XLen(ctx, receiptsOut).Result()
		if err == nil && l >= n {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d of %d receipts after %s (%v)", l, n, timeout, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func runOrders(t *testing.T, ctx context.Context, rdb *redis.Client) {
	t.Helper()
	var sent []string
	add := func(id string) {
		t.Helper()
		if err := rdb.XAdd(ctx, &redis.XAddArgs{Stream: ordersStream, Values: order(id, len(sent)%5+1)}).Err(); err != nil {
			t.Fatal(err)
		}
		sent = append(sent, id)
	}
	// Cold: one order at zero replicas.
	t0 := time.Now()
	add("cold-1")
	if err := waitReceipts(ctx, rdb, 1, 3*time.Minute); err != nil {
		diagnoseAsync(t)
		t.Fatalf("cold: %v", err)
	}
	cold := time.Since(t0)
	t.Logf("cold: order at 0 replicas -> receipt: %s", cold.Round(time.Millisecond))

	// Warm: one at a time, each once the last receipt is out.
	var warm []time.Duration
	for i := 1; i <= 5; i++ {
		t1 := time.Now()
		add(fmt.Sprintf("warm-%d", i))
		if err := waitReceipts(ctx, rdb, int64(len(sent)), time.Minute); err != nil {
			diagnoseAsync(t)
			t.Fatalf("warm: %v", err)
		}
		warm = append(warm, time.Since(t1))
	}
	slices.Sort(warm)
	t.Logf("warm: order -> receipt, median of %d: %s (min %s, max %s)", len(warm), warm[len(warm)/2].Round(time.Millisecond),
		warm[0].Round(time.Millisecond), warm[len(warm)-1].Round(time.Millisecond))

	// A burst: throughput at steady state, and KEDA scaling up on the lag.
	pipe := rdb.Pipeline()
	for i := 1; i <= asyncBurst; i++ {
		id := fmt.Sprintf("burst-%05d", i)
		pipe.XAdd(ctx, &redis.XAddArgs{Stream: ordersStream, Values: order(id, i%5+1)})
		sent = append(sent, id)
	}
	t2 := time.Now()
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	replicas := func() int {
		out, _ := kubectl("", "-n", asyncNS, "get", "deployment", asyncFn, "-o", "jsonpath={.status.replicas}")
		n, _ := strconv.Atoi(strings.TrimSpace(out))
		return n
	}
	maxReplicas := replicas()
	done := make(chan error, 1)
	go func() { done <- waitReceipts(ctx, rdb, int64(len(sent)), 5*time.Minute) }()
	for waiting := true; waiting; {
		select {
		case err := <-done:
			if err != nil {
				diagnoseAsync(t)
				t.Fatalf("burst: %v", err)
			}
			waiting = false
		case <-time.After(500 * time.Millisecond):
			maxReplicas = max(maxReplicas, replicas())
		}
	}
	burst := time.Since(t2)
	t.Logf("burst: %d orders -> %d receipts in %s: %.0f orders/s; replicas up to %d", asyncBurst, asyncBurst, burst.Round(time.Millisecond),
		float64(asyncBurst)/burst.Seconds(), maxReplicas)
	tLast := time.Now()

	// Exactly once: a receipt per order, no other; nothing pending.
	got, err := receiptOrders(ctx, rdb)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, id := range got {
		seen[id]++
	}
	var lost, dup []string
	for _, id := range sent {
		switch seen[id] {
		case 1:
		case 0:
			lost = append(lost, id)
		default:
			dup = append(dup, fmt.Sprintf("%s×%d", id, seen[id]))
		}
	}
	if len(lost) > 0 || len(dup) > 0 || len(got) != len(sent) {
		t.Fatalf("receipts: %d for %d orders; lost %v; duplicated %v", len(got), len(sent), lost, dup)
	}
	until(t, "no order pending in the consumer group", time.Minute, func() error {
		p, err := rdb.XPending(ctx, ordersStream, asyncFn).Result()
		if err == nil && p.Count != 0 {
			err = fmt.Errorf("%d pending", p.Count)
		}
		return err
	})
	t.Logf("exactly once: %d orders, %d receipts, each order's once, none pending", len(sent), len(got))

	if err := waitZero(time.Duration(asyncCooldown)*time.Second + 3*time.Minute); err != nil {
		diagnoseAsync(t)
		t.Fatalf("after the last order: %v", err)
	}
	t.Logf("last receipt -> 0 replicas: %s (cooldown %d s)", time.Since(tLast).Round(time.Millisecond), asyncCooldown)
}

// diagnoseAsync logs the Function, its workload, KEDA's view and the logs
// of the function, its sidecar, KEDA and Dapr.
func diagnoseAsync(t *testing.T) {
	t.Helper()
	for _, args := range [][]string{
		{"-n", asyncNS, "get", "function", asyncFn, "-o", "yaml"},
		{"-n", asyncNS, "get", "build,buildrun,pods,deployment,scaledobject,hpa,components.dapr.io", "-o", "wide"},
		{"-n", asyncNS, "describe", "scaledobject", asyncFn},
		{"-n", asyncNS, "logs", "-l", "build.shipwright.io/name=" + asyncFn + "-build", "--all-containers", "--prefix", "--tail=30"},
		{"-n", asyncNS, "logs", "-l", "core.kiln.dev/function=" + asyncFn, "--all-containers", "--prefix", "--tail=40"},
		{"-n", "keda", "logs", "deploy/keda-operator", "--tail=30"},
		{"-n", "keda", "logs", "deploy/keda-metrics-apiserver", "--tail=20"},
		{"-n", "dapr-system", "get", "pods", "-o", "wide"},
		{"-n", "dapr-system", "logs", "deploy/dapr-sidecar-injector", "--tail=20"},
		{"-n", "kiln", "logs", "deploy/kiln-controller", "--tail=40"},
	} {
		out, _ := kubectl("", args...)
		t.Logf("kubectl %s:\n%s", strings.Join(args, " "), tailLines(out, 80))
	}
}
