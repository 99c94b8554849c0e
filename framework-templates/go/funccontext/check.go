package funccontext

import "strings"

// check validates a parsed context, recording an error per problem, each
// naming the field as the user wrote it in this shape.
func (p *parsed) check() {
	fail := p.root.fail
	switch strings.ToLower(p.Runtime) {
	case "knative":
		p.Runtime = Knative
	case "async", "openfuncasync":
		p.Runtime = Async
	case "":
		fail(p.runtimeField, "missing; want Knative (HTTP) or Async (Dapr inputs)")
	default:
		fail(p.runtimeField, "%q; want Knative (HTTP) or Async (Dapr inputs)", p.Runtime)
	}
	if p.Name == "" {
		fail("name", "missing; the function's name")
	}
	routes := map[string]origin{} // binding component or pub/sub topic → the input that consumes it
	for _, o := range p.ios {
		io := map[string]map[string]IO{"inputs": p.Inputs, "outputs": p.Outputs, "states": p.States}[o.set][o.key]
		if io.ComponentName == "" {
			fail(o.at(o.nameField), "missing; the Dapr component's name")
		}
		kinds := []string{"bindings.", "pubsub."}
		if o.set == "states" {
			kinds = []string{"state."}
		}
		ok := o.set == "states" && io.ComponentType == ""
		for _, prefix := range kinds {
			ok = ok || strings.HasPrefix(io.ComponentType, prefix)
		}
		switch {
		case !ok && io.ComponentType == "":
			fail(o.at(o.typeField), "missing; want a type starting with %s", strings.Join(kinds, " or "))
		case !ok:
			fail(o.at(o.typeField), "%q; want a type starting with %s", io.ComponentType, strings.Join(kinds, " or "))
		}
		what := strings.TrimSuffix(o.set, "s")
		if io.IsPubSub() && io.Topic == "" {
			fail(o.at(o.topicField), "missing; a pub/sub %s names its topic here", what)
		}
		if o.set != "inputs" || io.ComponentName == "" || !ok {
			continue
		}
		route, field, desc := "binding "+io.ComponentName, o.nameField, "binding component"
		if io.IsPubSub() {
			route, field, desc = "pubsub "+io.ComponentName+" "+io.Topic, o.topicField, "pub/sub "+io.ComponentName+" topic"
		}
		if prev, dup := routes[route]; dup {
			v := io.ComponentName
			if io.IsPubSub() {
				v = io.Topic
			}
			fail(o.at(field), "%s %q is also %s's; Dapr delivers its events to one input, so declare it once", desc, v, prev.path)
			continue
		}
		routes[route] = o
	}
	if p.Runtime == Async && len(p.Inputs) == 0 && len(p.root.errs.list) == 0 { // else a broken input is the news
		fail(p.inputsField, "empty; an Async function is started by Dapr inputs (bindings or pub/sub topics)")
	}
}
