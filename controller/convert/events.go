package convert

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"kiln.dev/kiln/controller/api/events/condition"
	ev "kiln.dev/kiln/controller/api/events/v1alpha1"
)

// EventsResult is a converted events object (EventSource, EventBus,
// ClusterEventBus or Trigger) and the notes on it.
type EventsResult struct {
	Object client.Object
	Notes  []string
}

// OpenFunctionEventsGroup is the API group of OpenFunction's events kinds.
const OpenFunctionEventsGroup = "events.openfunction.io"

// IsEvents says whether manifest is one of OpenFunction's events kinds
// (ConvertEvents converts it; Convert converts Functions).
func IsEvents(manifest []byte) bool {
	var in struct {
		APIVersion string `json:"apiVersion"`
	}
	return yaml.Unmarshal(manifest, &in) == nil && strings.HasPrefix(in.APIVersion, OpenFunctionEventsGroup+"/")
}

// ConvertEvents reads one events.openfunction.io/v1alpha1 manifest and
// returns the events.kiln.dev/v1alpha1 object, with a note for every field
// changed or dropped.
func ConvertEvents(manifest []byte) (*EventsResult, error) {
	var in obj
	if err := yaml.Unmarshal(manifest, &in); err != nil {
		return nil, fmt.Errorf("not YAML: %w", err)
	}
	kind, _ := in["kind"].(string)
	api, _ := in["apiVersion"].(string)
	if api != OpenFunctionEventsGroup+"/v1alpha1" {
		return nil, fmt.Errorf("apiVersion %q: Kiln converts %s/v1alpha1 events kinds", api, OpenFunctionEventsGroup)
	}
	md, _ := in["metadata"].(obj)
	ns, _ := md["namespace"].(string)
	if ns == "" {
		ns = "<namespace>"
	}
	c := &converter{}
	spec, _ := in["spec"].(obj)
	if spec == nil {
		spec = obj{}
	}
	var out client.Object
	switch kind {
	case "EventSource":
		c.eventSource(spec, ns)
		out = &ev.EventSource{}
	case "EventBus":
		c.eventBus(spec)
		out = &ev.EventBus{}
	case "ClusterEventBus":
		c.eventBus(spec)
		out = &ev.ClusterEventBus{}
	case "Trigger":
		c.trigger(spec, ns)
		out = &ev.Trigger{}
	default:
		return nil, fmt.Errorf("kind %q: want EventSource, EventBus, ClusterEventBus or Trigger", kind)
	}
	c.metadata(md)
	b, err := json.Marshal(obj{"apiVersion": ev.GroupVersion.String(), "kind": kind, "metadata": md, "spec": spec})
	if err != nil {
		return nil, err
	}
	if err := yaml.UnmarshalStrict(b, out); err != nil {
		return nil, fmt.Errorf("the converted %s does not fit %s: %w", kind, ev.GroupVersion, err)
	}
	sort.Strings(c.notes)
	return &EventsResult{Object: out, Notes: c.notes}, nil
}

// keep drops every key of m not in allowed, noting each under path.
func (c *converter) keep(m obj, path, why string, allowed ...string) {
	for _, k := range sortedKeys(m) {
		if !slices.Contains(allowed, k) {
			delete(m, k)
			c.note("%s.%s: %s; dropped", path, k, why)
		}
	}
}

func (c *converter) eventSource(spec obj, ns string) {
	c.keep(spec, "spec", "not a field of Kiln's EventSource (Kiln runs its own handler image, nothing is built)",
		"eventBus", "redis", "kafka", "cron", "mqtt", "sink", "logLevel")
	if bus, _ := spec["eventBus"].(string); bus != "" {
		c.note("spec.eventBus: events travel on topics %s<eventsource>.<event> (OpenFunction: %s-<eventsource>-<event>, which two namespaces can share); readers of the bus outside Kiln's Triggers must use the new names",
			ev.TopicPrefix(ns), ns)
	}
	for _, name := range sortedKeys(asObj(spec["kafka"])) {
		k := asObj(asObj(spec["kafka"])[name])
		p := "spec.kafka." + name
		if _, ok := k["scaleOption"]; ok {
			delete(k, "scaleOption")
			c.note("%s.scaleOption: the handler runs one replica (no KEDA scaling of event sources yet); dropped", p)
		}
		c.keep(k, p, "not supported by Kiln's Kafka source",
			"brokers", "authRequired", "topic", "saslUsername", "saslPassword", "maxMessageBytes")
	}
	for _, name := range sortedKeys(asObj(spec["redis"])) {
		r := asObj(asObj(spec["redis"])[name])
		p := "spec.redis." + name
		c.keep(r, p, "not supported by Kiln's Redis source", "redisHost", "redisPassword", "enableTLS", "redisDB")
		c.note("%s: OpenFunction renders a Dapr bindings.redis input, which Dapr only supports as an output; Kiln reads the Redis Stream %q through pubsub.redis (set stream to read another)", p, name)
	}
	for _, name := range sortedKeys(asObj(spec["mqtt"])) {
		m := asObj(asObj(spec["mqtt"])[name])
		c.keep(m, "spec.mqtt."+name, "TLS client settings are not supported by Kiln's MQTT source yet",
			"url", "topic", "consumerID", "qos", "retain", "cleanSession")
	}
	c.sink(asObj(spec["sink"]), "spec.sink")
}

func (c *converter) eventBus(spec obj) {
	if _, ok := spec["natsStreaming"]; ok {
		delete(spec, "natsStreaming")
		c.note("spec.natsStreaming: NATS Streaming is not a Kiln bus; dropped: add spec.redis (Redis Streams) or spec.kafka before applying, or the EventSources and Triggers on this bus report EventBusInvalid")
	}
	c.keep(spec, "spec", "not a field of Kiln's EventBus", "topic", "redis", "kafka")
}

func (c *converter) trigger(spec obj, ns string) {
	c.keep(spec, "spec", "not a field of Kiln's Trigger", "eventBus", "inputs", "subscribers", "logLevel")
	inputs := sortedKeys(asObj(spec["inputs"]))
	for _, name := range inputs {
		if other, _ := asObj(asObj(spec["inputs"])[name])["namespace"].(string); other != "" && other != ns {
			c.note("spec.inputs.%s.namespace: %s: allowed on a namespaced EventBus; on a ClusterEventBus a Trigger reads only its own namespace's EventSources (TopicForbidden)", name, other)
		}
	}
	for i, s := range asList(spec["subscribers"]) {
		sub := asObj(s)
		p := fmt.Sprintf("spec.subscribers[%d]", i)
		c.keep(sub, p, "not a field of Kiln's Trigger subscriber", "condition", "sink", "deadLetterSink", "topic", "deadLetterTopic")
		if cond, _ := sub["condition"].(string); cond != "" {
			if _, err := condition.Parse(cond, inputs); err != nil {
				c.note("%s.condition: not in Kiln's condition language (input names, CloudEvent attributes, ==, !=, &&, ||, !): %v; rewrite it before applying", p, err)
			}
		}
		c.sink(asObj(sub["sink"]), p+".sink")
		c.sink(asObj(sub["deadLetterSink"]), p+".deadLetterSink")
		for _, f := range []string{"topic", "deadLetterTopic"} {
			if topic, _ := sub[f].(string); topic != "" && !strings.HasPrefix(topic, ev.TopicPrefix(ns)) {
				c.note("%s.%s: %q: allowed on a namespaced EventBus; on a ClusterEventBus a Trigger publishes only to topics starting with %q (TopicForbidden), e.g. %q",
					p, f, topic, ev.TopicPrefix(ns), ev.TopicPrefix(ns)+topic)
			}
		}
	}
}

// openFunctionGatewayURI is OpenFunction's gateway address of a function:
// http://openfunction.io.svc.cluster.local/<namespace>/<name>.
var openFunctionGatewayURI = regexp.MustCompile(`^https?://openfunction\.io(\.svc\.cluster\.local)?/([a-z0-9-]+)/([a-z0-9-]+)/?$`)

// sink turns references to OpenFunction Functions, and URIs through
// OpenFunction's gateway, into references to Kiln Functions.
func (c *converter) sink(s obj, path string) {
	if s == nil {
		return
	}
	if uri, _ := s["uri"].(string); uri != "" {
		if m := openFunctionGatewayURI.FindStringSubmatch(uri); m != nil {
			delete(s, "uri")
			s["ref"] = obj{"apiVersion": "core.kiln.dev/v1alpha1", "kind": "Function", "namespace": m[2], "name": m[3]}
			c.note("%s.uri: %s is OpenFunction's gateway address of Function %s/%s; now a ref to the Kiln Function (convert it too)", path, uri, m[2], m[3])
		}
	}
	ref := asObj(s["ref"])
	if ref == nil {
		return
	}
	if api, _ := ref["apiVersion"].(string); strings.HasPrefix(api, "core.openfunction.io/") && ref["kind"] == "Function" {
		ref["apiVersion"] = "core.kiln.dev/v1alpha1"
		c.note("%s.ref: %s Function %v is now a core.kiln.dev/v1alpha1 Function (convert it too)", path, api, ref["name"])
	}
}
