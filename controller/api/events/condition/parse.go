package condition

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Attributes a comparison may name besides extensions.<name>.
var attributes = map[string]bool{"id": true, "source": true, "type": true, "subject": true, "datacontenttype": true, "specversion": true}

// Expr is a parsed condition.
type Expr struct {
	src  string
	root node
}

// String is the source text.
func (e *Expr) String() string { return e.src }

type node interface{ eval(Env) bool }

type (
	orNode  struct{ l, r node }
	andNode struct{ l, r node }
	notNode struct{ x node }
	input   struct{ name string }
	cmpNode struct {
		neg  bool
		l, r operand
	}
	operand struct {
		attr    string // set for an attribute reference
		literal string
	}
)

// Parse parses src. inputs are the Trigger's input names: a bare identifier
// must be one of them; comparisons take attributes (id, source, type,
// subject, datacontenttype, specversion, extensions.<name>) and string
// literals.
func Parse(src string, inputs []string) (*Expr, error) {
	if len(src) > MaxLength {
		return nil, fmt.Errorf("condition of %d bytes: at most %d (split the Trigger's subscribers instead)", len(src), MaxLength)
	}
	toks, err := lex(src)
	if err != nil {
		return nil, fmt.Errorf("condition %q: %w", src, err)
	}
	known := map[string]bool{}
	for _, in := range inputs {
		known[in] = true
	}
	p := &parser{toks: toks, inputs: known}
	root, err := p.or()
	if err == nil && p.peek().kind != tokEOF {
		err = fmt.Errorf("unexpected %q at %d", p.peek().text, p.peek().pos)
	}
	if err != nil {
		return nil, fmt.Errorf("condition %q: %w", src, err)
	}
	return &Expr{src: src, root: root}, nil
}

// MaxLength and MaxDepth bound a condition: the parser recurses once per
// ! and (, in the controller and in every handler.
const (
	MaxLength = 4096
	MaxDepth  = 64
)

type parser struct {
	toks   []token
	i      int
	inputs map[string]bool
	depth  int
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token { t := p.toks[p.i]; p.i++; return t }

func (p *parser) or() (node, error) {
	l, err := p.and()
	for err == nil && p.peek().kind == tokOr {
		p.next()
		var r node
		r, err = p.and()
		l = orNode{l, r}
	}
	return l, err
}

func (p *parser) and() (node, error) {
	l, err := p.unary()
	for err == nil && p.peek().kind == tokAnd {
		p.next()
		var r node
		r, err = p.unary()
		l = andNode{l, r}
	}
	return l, err
}

func (p *parser) unary() (node, error) {
	if p.depth++; p.depth > MaxDepth {
		return nil, fmt.Errorf("nested deeper than %d (! and parentheses) at %d", MaxDepth, p.peek().pos)
	}
	defer func() { p.depth-- }()
	switch t := p.peek(); t.kind {
	case tokNot:
		p.next()
		x, err := p.unary()
		return notNode{x}, err
	case tokLParen:
		p.next()
		x, err := p.or()
		if err != nil {
			return nil, err
		}
		if c := p.next(); c.kind != tokRParen {
			return nil, fmt.Errorf("want ) at %d, got %q", c.pos, c.text)
		}
		return x, nil
	case tokIdent, tokString:
		return p.primary()
	case tokEOF:
		return nil, fmt.Errorf("unexpected end at %d", t.pos)
	default:
		return nil, fmt.Errorf("unexpected %q at %d", t.text, t.pos)
	}
}

func (p *parser) primary() (node, error) {
	first := p.next()
	op := p.peek()
	if op.kind != tokEq && op.kind != tokNe {
		if first.kind == tokIdent && p.inputs[first.text] {
			return input{first.text}, nil
		}
		if first.kind == tokIdent && isAttribute(first.text) {
			return nil, fmt.Errorf("attribute %s at %d must be compared (%s == \"...\")", first.text, first.pos, first.text)
		}
		return nil, fmt.Errorf("%q at %d is not an input of this Trigger (inputs: %s)", first.text, first.pos, strings.Join(slices.Sorted(maps.Keys(p.inputs)), ", "))
	}
	p.next()
	second := p.next()
	l, err := p.operand(first)
	if err != nil {
		return nil, err
	}
	r, err := p.operand(second)
	if err != nil {
		return nil, err
	}
	return cmpNode{neg: op.kind == tokNe, l: l, r: r}, nil
}

func (p *parser) operand(t token) (operand, error) {
	switch {
	case t.kind == tokString:
		return operand{literal: t.text}, nil
	case t.kind == tokIdent && isAttribute(t.text):
		return operand{attr: t.text}, nil
	case t.kind == tokIdent:
		return operand{}, fmt.Errorf("%q at %d is not a CloudEvent attribute (id, source, type, subject, datacontenttype, specversion, extensions.<name>)", t.text, t.pos)
	default:
		return operand{}, fmt.Errorf("want an attribute or a string at %d, got %q", t.pos, t.text)
	}
}

func isAttribute(s string) bool {
	if attributes[s] {
		return true
	}
	ext, ok := strings.CutPrefix(s, "extensions.")
	return ok && ext != "" && !strings.Contains(ext, ".")
}
