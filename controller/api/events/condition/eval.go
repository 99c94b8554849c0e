package condition

// Env is what a condition is evaluated over.
type Env struct {
	// Inputs says which inputs count as true (OpenFunction: an event arrived
	// on the input within the window).
	Inputs map[string]bool
	// Attributes of the CloudEvent being delivered: id, source, type,
	// subject, datacontenttype, specversion, and extensions.<name>.
	// A missing attribute compares as "".
	Attributes map[string]string
}

// Eval evaluates e over env.
func (e *Expr) Eval(env Env) bool { return e.root.eval(env) }

func (n orNode) eval(env Env) bool  { return n.l.eval(env) || n.r.eval(env) }
func (n andNode) eval(env Env) bool { return n.l.eval(env) && n.r.eval(env) }
func (n notNode) eval(env Env) bool { return !n.x.eval(env) }
func (n input) eval(env Env) bool   { return env.Inputs[n.name] }
func (n cmpNode) eval(env Env) bool { return (n.l.value(env) == n.r.value(env)) != n.neg }

func (o operand) value(env Env) string {
	if o.attr != "" {
		return env.Attributes[o.attr]
	}
	return o.literal
}
