// Command daprd is Dapr's sidecar (github.com/dapr/dapr/cmd/daprd/app) with only the
// components Kiln's samples, `kiln run --dapr` and the async e2e suite use. Dapr's own
// main compiles every component in components-contrib (allcomponents: ~18 min and a
// 255 MB binary here, and two of its dependencies do not build with current Go);
// registering a chosen few keeps the build to minutes.
//
// build.sh compiles it with an overlay that empties cmd/daprd/components/zz_notag.go,
// the file that panics when neither of Dapr's component build tags is set.
package main

import (
	"github.com/dapr/components-contrib/bindings"
	bindingcron "github.com/dapr/components-contrib/bindings/cron"
	bindinghttp "github.com/dapr/components-contrib/bindings/http"
	bindingkafka "github.com/dapr/components-contrib/bindings/kafka"
	bindingmqtt "github.com/dapr/components-contrib/bindings/mqtt3"
	bindingredis "github.com/dapr/components-contrib/bindings/redis"
	nrkubernetes "github.com/dapr/components-contrib/nameresolution/kubernetes"
	"github.com/dapr/components-contrib/nameresolution/mdns"
	pubsubmemory "github.com/dapr/components-contrib/pubsub/in-memory"
	pubsubkafka "github.com/dapr/components-contrib/pubsub/kafka"
	pubsubmqtt "github.com/dapr/components-contrib/pubsub/mqtt3"
	pubsubredis "github.com/dapr/components-contrib/pubsub/redis"
	secretstoreskubernetes "github.com/dapr/components-contrib/secretstores/kubernetes"
	statememory "github.com/dapr/components-contrib/state/in-memory"
	stateredis "github.com/dapr/components-contrib/state/redis"
	"github.com/dapr/dapr/cmd/daprd/app"
	bindingsLoader "github.com/dapr/dapr/pkg/components/bindings"
	nrLoader "github.com/dapr/dapr/pkg/components/nameresolution"
	pubsubLoader "github.com/dapr/dapr/pkg/components/pubsub"
	secretstoresLoader "github.com/dapr/dapr/pkg/components/secretstores"
	stateLoader "github.com/dapr/dapr/pkg/components/state"
	"github.com/dapr/kit/logger"
)

func main() {
	in := bindingsLoader.DefaultRegistry.RegisterInputBinding
	out := bindingsLoader.DefaultRegistry.RegisterOutputBinding
	in(func(l logger.Logger) bindings.InputBinding { return bindingmqtt.NewMQTT(l) }, "mqtt3", "mqtt")
	out(func(l logger.Logger) bindings.OutputBinding { return bindingmqtt.NewMQTT(l) }, "mqtt3", "mqtt")
	in(func(l logger.Logger) bindings.InputBinding { return bindingkafka.NewKafka(l) }, "kafka")
	out(func(l logger.Logger) bindings.OutputBinding { return bindingkafka.NewKafka(l) }, "kafka")
	in(bindingcron.NewCron, "cron")
	out(bindinghttp.NewHTTP, "http")
	out(bindingredis.NewRedis, "redis")

	pubsubLoader.DefaultRegistry.RegisterComponent(pubsubredis.NewRedisStreams, "redis")
	pubsubLoader.DefaultRegistry.RegisterComponent(pubsubmqtt.NewMQTTPubSub, "mqtt3", "mqtt")
	pubsubLoader.DefaultRegistry.RegisterComponent(pubsubkafka.NewKafka, "kafka")
	pubsubLoader.DefaultRegistry.RegisterComponent(pubsubmemory.New, "in-memory")

	stateLoader.DefaultRegistry.RegisterComponent(stateredis.NewRedisStateStore, "redis")
	stateLoader.DefaultRegistry.RegisterComponent(statememory.NewInMemoryStateStore, "in-memory")

	nrLoader.DefaultRegistry.RegisterComponent(mdns.NewResolver, "mdns")
	// Kubernetes mode's default resolver (service invocation by app id).
	nrLoader.DefaultRegistry.RegisterComponent(nrkubernetes.NewResolver, "kubernetes")

	// In Kubernetes mode daprd loads the built-in secret store "kubernetes"
	// (secretstores.kubernetes) before any component, and exits when it
	// cannot ("couldn't find secret store"), whatever the components use:
	// the sidecar Dapr's injector adds on `kiln cluster up --with dapr`.
	secretstoresLoader.DefaultRegistry.RegisterComponent(secretstoreskubernetes.NewKubernetesSecretStore, "kubernetes")

	app.Run()
}
