package v1alpha1

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// MaxTopicLength bounds every bus topic: Kafka's limit on a topic name
// (Redis Stream keys have none).
const MaxTopicLength = 249

// topicHashLen is how many hex digits of SHA-256 a shortened topic ends with.
const topicHashLen = 16

// TopicPrefix is the topic space of namespace ns: every topic of its
// EventSources starts with it, and on a ClusterEventBus its Triggers may
// publish only to topics that do. A namespace is a DNS label (no dots), so
// no other namespace's prefix is a prefix of it; a bus that enforces access
// by prefix (Redis ACL key patterns `~<ns>.*`, Kafka prefixed ACLs) can
// confine each namespace's credentials to it.
func TopicPrefix(ns string) string { return ns + "." }

// TopicName is the bus topic events of EventSource eventSource, event name
// event, of namespace ns travel on: "<namespace>.<eventsource>.<event>".
// Namespaces and event names are DNS labels and EventSource names DNS
// subdomains, so the first and the last dot split a topic back into its
// parts and two different triples never share a topic (OpenFunction's
// "<namespace>-<eventsource>-<event>" gives namespace "a-b" source "c" and
// namespace "a" source "b-c" the same one).
//
// A topic longer than MaxTopicLength is shortened to
// "<namespace>.<head>_<hash>": head is the start of "<eventsource>.<event>"
// and hash the first 16 hex digits of its SHA-256. No Kubernetes name holds
// an underscore, so a shortened topic never equals an unshortened one, and
// it keeps the namespace's prefix.
func TopicName(ns, eventSource, event string) string {
	rest := eventSource + "." + event
	if t := TopicPrefix(ns) + rest; len(t) <= MaxTopicLength {
		return t
	}
	sum := sha256.Sum256([]byte(rest))
	head := max(MaxTopicLength-len(TopicPrefix(ns))-1-topicHashLen, 0)
	return TopicPrefix(ns) + rest[:head] + "_" + hex.EncodeToString(sum[:])[:topicHashLen]
}

// ConsumerGroup is the bus consumer group (Dapr consumerID) of handler
// Function fn of namespace ns: "<namespace>.<fn>", unambiguous for the
// same reason as TopicName, so two handlers never share one (and split
// each other's events).
func ConsumerGroup(ns, fn string) string { return TopicPrefix(ns) + fn }

// InTopicSpace says whether topic lies in namespace ns's topic space.
func InTopicSpace(ns, topic string) bool {
	return strings.HasPrefix(topic, TopicPrefix(ns)) && len(topic) > len(TopicPrefix(ns))
}
