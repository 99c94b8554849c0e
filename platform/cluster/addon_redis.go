package cluster

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
)

// The redis addon: a Redis server on the node for async functions (Redis
// Streams for Dapr's pub/sub and KEDA's redis-streams scaler), from Kiln's
// own service image (stacks/services, Debian's redis-server), which `kiln
// stack build --stack stacks/services` pushes to kiln's registry.
const (
	AddonRedis = "redis"
	// RedisNamespace is the redis addon's namespace: the Deployment, the
	// Service and the password Secret live there and nothing else.
	RedisNamespace = "kiln-redis"
	// RedisService is where functions reach it: redis.kiln-redis.svc.cluster.local:6379.
	RedisService = "redis"
	// RedisSecret holds the password (key "password"), made once with 32
	// random bytes and never rewritten: Components and ScaledObjects of
	// another namespace read it from a copy there (Secrets do not cross
	// namespaces), so a new password on every up would break them.
	RedisSecret    = "redis"
	redisImageRepo = "kiln/stack/redis:services"
	redisVersion   = "7.0.15" // stacks/services/packages.lock's redis-server
)

// RedisAddress is the Redis of the redis addon, host:port as Dapr's
// redisHost and KEDA's address take it.
const RedisAddress = RedisService + "." + RedisNamespace + ".svc.cluster.local:6379"

var redisAddon = addon{
	name: AddonRedis, version: redisVersion,
	namespace:   RedisNamespace,
	deployments: []string{RedisService},
}

// redisManifest is the redis addon's YAML for image (by digest): its
// namespace, a Deployment of one redis-server with the password from the
// Secret (--requirepass from the env, which Kubernetes expands in args),
// no persistence (an emptyDir working dir; a broker for functions on one
// node, not a database), and the Service.
func redisManifest(image string) string {
	return strings.NewReplacer("NS", RedisNamespace, "SVC", RedisService, "SECRET", RedisSecret, "IMAGE", image).Replace(`apiVersion: v1
kind: Namespace
metadata: {name: NS, labels: {app.kubernetes.io/managed-by: kiln}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: SVC, namespace: NS, labels: {app.kubernetes.io/name: redis, app.kubernetes.io/managed-by: kiln}}
spec:
  replicas: 1
  strategy: {type: Recreate}
  selector: {matchLabels: {app.kubernetes.io/name: redis}}
  template:
    metadata: {labels: {app.kubernetes.io/name: redis}}
    spec:
      securityContext: {runAsUser: 1000, runAsGroup: 1000, runAsNonRoot: true}
      containers:
      - name: redis
        image: IMAGE
        command: [/usr/bin/redis-server]
        args: [--port, "6379", --bind, 0.0.0.0, --requirepass, "$(REDIS_PASSWORD)", --save, "", --appendonly, "no", --dir, /data]
        env:
        - name: REDIS_PASSWORD
          valueFrom: {secretKeyRef: {name: SECRET, key: password}}
        ports: [{name: redis, containerPort: 6379}]
        readinessProbe: {tcpSocket: {port: 6379}, periodSeconds: 1}
        securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}, readOnlyRootFilesystem: true}
        volumeMounts: [{name: data, mountPath: /data}]
      volumes: [{name: data, emptyDir: {}}]
---
apiVersion: v1
kind: Service
metadata: {name: SVC, namespace: NS, labels: {app.kubernetes.io/name: redis, app.kubernetes.io/managed-by: kiln}}
spec:
  selector: {app.kubernetes.io/name: redis}
  ports: [{name: redis, port: 6379, targetPort: redis}]
`)
}

// redisSecret is the password Secret with a new random password.
func redisSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("cluster: redis password: %w", err)
	}
	return `apiVersion: v1
kind: Secret
metadata: {name: ` + RedisSecret + `, namespace: ` + RedisNamespace + `, labels: {app.kubernetes.io/managed-by: kiln}}
type: Opaque
stringData: {password: ` + hex.EncodeToString(b) + `}
`, nil
}

// redisInstall returns the redis addon's YAML, its image taken by digest
// from kiln's registry, once its namespace and password Secret exist (the
// Secret is created, never applied, so an existing password stays).
func redisInstall(o Options, s *state) ([]byte, error) {
	img, err := registryImage(s.Registry, redisImageRepo, "redis addon: the image")
	if err != nil {
		return nil, err
	}
	image := img.ref()
	ns := "apiVersion: v1\nkind: Namespace\nmetadata: {name: " + RedisNamespace + ", labels: {app.kubernetes.io/managed-by: kiln}}\n"
	if err := o.kubectl([]byte(ns), "apply", "--server-side", "-f", "-"); err != nil {
		return nil, err
	}
	if out, err := o.kubectlOut("-n", RedisNamespace, "get", "secret", RedisSecret, "-o", "name", "--ignore-not-found"); err != nil {
		return nil, fmt.Errorf("cluster: redis addon: reading secret %s/%s: %w: %s", RedisNamespace, RedisSecret, err, out)
	} else if strings.TrimSpace(out) == "" {
		sec, err := redisSecret()
		if err != nil {
			return nil, err
		}
		if err := o.kubectl([]byte(sec), "create", "-f", "-"); err != nil {
			return nil, err
		}
	}
	return []byte(redisManifest(image)), nil
}
